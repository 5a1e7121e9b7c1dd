import type dayjs from 'dayjs';
import type { Movements, Period } from '../api/reports';

type Movement = 'admitted' | 'transferred_in' | 'transferred_out' | 'suspended' | 'resumed' | 'retired' | 'removed'
  | 'left' | 'restructured';

/** The period's movements, in the order of the standard report, with their Vietnamese names; what they do not
 * explain (a unit moved, merged or dissolved) last, so start and end add up. */
export const MOVEMENTS: [Movement & keyof Movements, string][] = [
  ['admitted', 'Kết nạp'],
  ['transferred_in', 'Chuyển đến'],
  ['transferred_out', 'Chuyển đi'],
  ['suspended', 'Tạm dừng sinh hoạt'],
  ['resumed', 'Sinh hoạt trở lại'],
  ['retired', 'Nghỉ hưu'],
  ['removed', 'Xóa tên'],
  ['left', 'Ra khỏi danh sách (lý do khác)'],
  ['restructured', 'Sắp xếp tổ chức'],
];

/** The twelve months up to `today`'s, each from its first day to its last (the current one to today). */
export function lastTwelveMonths(today: dayjs.Dayjs): Period[] {
  return Array.from({ length: 12 }, (_, i) => {
    const month = today.startOf('month').subtract(11 - i, 'month');
    const end = i === 11 ? today : month.endOf('month');
    return { from: month.format('YYYY-MM-DD'), to: end.format('YYYY-MM-DD') };
  });
}

/** The term (nhiệm kỳ) under way in `year`: the union's congresses open a five-year term in 2023, 2028, 2033… */
export function currentTerm(year: number): string {
  const first = 2023 + Math.floor((year - 2023) / 5) * 5;
  return `${first}-${first + 5}`;
}

/** The part of `period` the figures answer, they start on `earliest` (YYYY-MM-DD): from that day, or none. */
export function clipToLedger(period: Period, earliest: string): Period | null {
  if (earliest > period.to) return null;
  return { from: earliest > period.from ? earliest : period.from, to: period.to };
}
