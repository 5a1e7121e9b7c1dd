import { SectionNav } from '@/components/section-nav';

const SECTIONS = [
  { value: '', label: 'Tổng quan' },
  { value: '/phat-trien', label: 'Báo cáo phát triển đoàn viên' },
  { value: '/theo-tieu-chi', label: 'Theo tiêu chí, tại một ngày' },
  { value: '/to-chuc', label: 'Số liệu tổ chức công đoàn' },
  { value: '/chi-tieu', label: 'Chỉ tiêu phát triển đoàn viên' },
];

/** The report screens of a unit. */
export function ReportsNav({ unitId }: { unitId: string }) {
  return <SectionNav base={`/don-vi/${unitId}/bao-cao`} sections={SECTIONS} label="Các loại báo cáo" />;
}
