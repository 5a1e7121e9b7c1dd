import { SectionNav } from '@/components/section-nav';

const SECTIONS = [
  { value: '', label: 'Các tháng' },
  { value: '/no', label: 'Nợ đoàn phí' },
  { value: '/nop-cap-tren', label: 'Nộp cấp trên' },
  { value: '/bang-luong', label: 'Tính từ bảng lương' },
  { value: '/quy-dinh', label: 'Quy định mức đóng' },
];

/** The dues screens of a unit. */
export function DuesNav({ unitId }: { unitId: string }) {
  return <SectionNav base={`/don-vi/${unitId}/doan-phi`} sections={SECTIONS} label="Các mục đoàn phí" />;
}

export const monthText = (month: string) => `${month.slice(5, 7)}/${month.slice(0, 4)}`;
