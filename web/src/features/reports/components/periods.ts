// Beside the reports' queries, which use them: the startup prefetch and the dashboard wait for one file fewer.
export { clipToLedger, lastTwelveMonths, MOVEMENTS } from '../api/reports';

/** The term (nhiệm kỳ) under way in `year`: the union's congresses open a five-year term in 2023, 2028, 2033… */
export function currentTerm(year: number): string {
  const first = 2023 + Math.floor((year - 2023) / 5) * 5;
  return `${first}-${first + 5}`;
}
