/** The reporting service's figures for a unit and its subtree: members now, movements of a period, per child. */

import { keepPreviousData, type QueryClient, queryOptions, useQuery } from '@tanstack/react-query';
import dayjs from 'dayjs';
import { fetchChildren } from '@/components/units/api';
import { api, type Schemas, unwrap } from '@/lib/api';
import { ApiProblem } from '@/lib/problem';
import { API_DATE } from '@/lib/format';

export type MemberSummary = Schemas['MemberSummaryOut'];
export type UnitTotals = Schemas['UnitTotalsOut'];

export const memberSummaryQuery = (unitId: string) => queryOptions({
  queryKey: ['reports', unitId, 'summary'],
  queryFn: () => unwrap(api.GET('/api/v1/reporting/units/{unit_id}/member-summary', {
    params: { path: { unit_id: unitId }, query: { subtree: true } } })),
});

export function useMemberSummary(unitId: string) {
  return useQuery(memberSummaryQuery(unitId));
}

export type Period = { from: string; to: string };

/** The dashboard's period until the officer chooses one: this year to today. */
export function thisYear(today = dayjs()): Period {
  return { from: today.startOf('year').format(API_DATE), to: today.format(API_DATE) };
}

/** The whole subtree's row of the period report of member development (`members/development`, its `total`). */
export type Movements = Schemas['PeriodRowOut'] & Period;

/** `ask` for `period`; with `clip`, a period that starts before the figures' first day is asked again from that day
 * (`clipToLedger`) and one wholly before it has no figures (null); without, the API's refusal stands (the officer
 * chose the period). */
async function clippedToLedger<T>(period: Period, clip: boolean, ask: (asked: Period) => Promise<T>): Promise<T | null> {
  try {
    return await ask(period);
  } catch (error) {
    const earliest = error instanceof ApiProblem && error.code === 'before-ledger-start' ? error.body.earliest : undefined;
    if (!clip || typeof earliest !== 'string') throw error;
    const clipped = clipToLedger(period, earliest);
    return clipped ? ask(clipped) : null;
  }
}

/** The subtree's members at the start and end of a period and what moved, in the tree of the period's days. */
export function fetchMovements(unitId: string, period: Period, clip = true): Promise<Movements | null> {
  return clippedToLedger(period, clip, async (asked) => {
    const report = await unwrap(api.GET('/api/v1/reporting/members/development', {
      params: { query: { unit_id: unitId, ...asked } } }));
    return { ...report.total, from: report.from, to: report.to };
  });
}

export const movementsQuery = (unitId: string, period: Period, clip: boolean) => queryOptions({
  queryKey: ['reports', unitId, 'movements', period, clip],
  queryFn: () => fetchMovements(unitId, period, clip),
  retry: false,
});

export function useMovements(unitId: string, period: Period, clip: boolean) {
  return useQuery({ ...movementsQuery(unitId, period, clip), placeholderData: keepPreviousData });
}

/** The subtree's movements in each of `periods` (consecutive months) in one request: the element of a month before
 * the figures' first day is null. */
export function monthlyMovementsQuery(unitId: string, periods: Period[]) {
  const whole = { from: periods[0].from, to: periods[periods.length - 1].to };
  return queryOptions({
    queryKey: ['reports', unitId, 'months', whole],
    queryFn: async () => {
      const answered = await clippedToLedger(whole, true, async (asked) => (await unwrap(api.GET(
        '/api/v1/reporting/members/development/months', { params: { query: { unit_id: unitId, ...asked } } }))).months);
      const byMonth = new Map((answered ?? []).map((month) => [month.to.slice(0, 7), month as Movements]));
      return periods.map((period) => byMonth.get(period.to.slice(0, 7)) ?? null);
    },
    staleTime: 5 * 60_000,
  });
}

export function useMonthlyMovements(unitId: string, periods: Period[]) {
  return useQuery(monthlyMovementsQuery(unitId, periods));
}

/** The unit's direct children (the first 200) with their subtree's member counts. */
export const childCountsQuery = (unitId: string) => queryOptions({
  queryKey: ['reports', unitId, 'children'],
  queryFn: async () => {
    const children = (await fetchChildren(unitId)).items;
    if (children.length === 0) return [];
    const counts = await unwrap(api.GET('/api/v1/reporting/member-counts', {
      params: { query: { unit_id: children.map((c) => c.unit_id) } } }));
    const byUnit = new Map(counts.map((c) => [c.unit_id, c]));
    return children.map((child) => ({
      unit_id: child.unit_id, name: child.name,
      members: byUnit.get(child.unit_id)?.members ?? 0, pending: byUnit.get(child.unit_id)?.pending ?? 0,
    }));
  },
});

export function useChildCounts(unitId: string) {
  return useQuery(childCountsQuery(unitId));
}

/** What the dashboard of `unitId` asks for first (its default period, the last twelve months), asked for by the
 * startup prefetch beside the screen's code, under the keys the dashboard reads. */
export function prefetchDashboard(client: QueryClient, unitId: string, today = dayjs()): void {
  void client.prefetchQuery(memberSummaryQuery(unitId));
  void client.prefetchQuery(movementsQuery(unitId, thisYear(today), true));
  void client.prefetchQuery(monthlyMovementsQuery(unitId, lastTwelveMonths(today)));
  void client.prefetchQuery(childCountsQuery(unitId));
}

/** The twelve months up to `today`'s, each from its first day to its last (the current one to today). */
export function lastTwelveMonths(today: dayjs.Dayjs): Period[] {
  return Array.from({ length: 12 }, (_, i) => {
    const month = today.startOf('month').subtract(11 - i, 'month');
    const end = i === 11 ? today : month.endOf('month');
    return { from: month.format('YYYY-MM-DD'), to: end.format('YYYY-MM-DD') };
  });
}

/** The part of `period` the figures answer, they start on `earliest` (YYYY-MM-DD): from that day, or none. */
export function clipToLedger(period: Period, earliest: string): Period | null {
  if (earliest > period.to) return null;
  return { from: earliest > period.from ? earliest : period.from, to: period.to };
}

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
