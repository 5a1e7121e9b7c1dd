/** The dues service's API (đoàn phí): policies, a unit's recorded months, one month's lines, subtree summaries. */

import { type QueryClient, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import dayjs from 'dayjs';
import { fetchUnit, unitTypesQuery } from '@/components/units/api';
import { api, type Schemas, unwrap } from '@/lib/api';

export type Policy = Schemas['PolicyOut'];
export type Month = Schemas['MonthOut'];
export type MonthDetail = Schemas['MonthDetail'];
export type MonthRecord = Schemas['MonthRecord'];
export type MonthSummary = Schemas['MonthSummary'];
export type Line = Schemas['LineOut'];
export type Member = Schemas['MemberSummary'];

export function usePolicies() {
  return useQuery({
    queryKey: ['dues', 'policies'],
    queryFn: () => unwrap(api.GET('/api/v1/dues/policies')),
    staleTime: 60 * 60_000,
  });
}

/** The live records of the unit (and its subtree) for a year, newest month first. */
export const recordedMonthsQuery = (unitId: string, year: number) => ({
  queryKey: ['dues', 'months', unitId, year],
  queryFn: async () => {
    const months: Month[] = [];
    let after: string | undefined;
    // A year of one unit is at most twelve records; a subtree may have many: read pages until the year is past.
    for (;;) {
      const page = await unwrap(api.GET('/api/v1/dues/months', { params: { query: { unit_id: unitId, after, limit: 500 } } }));
      months.push(...page.items);
      const oldest = page.items[page.items.length - 1]?.month;
      if (!page.next_cursor || (oldest && Number(oldest.slice(0, 4)) < year)) break;
      after = page.next_cursor;
    }
    return months.filter((m) => Number(m.month.slice(0, 4)) === year);
  },
});

export function useRecordedMonths(unitId: string, year: number) {
  return useQuery(recordedMonthsQuery(unitId, year));
}

/** The unit's own live record of a month (at most one), or null. */
export function useLiveMonth(unitId: string, month: string) {
  return useQuery({
    queryKey: ['dues', 'month', unitId, month],
    queryFn: async () => {
      const page = await unwrap(api.GET('/api/v1/dues/months', { params: { query: { unit_id: unitId, month, limit: 50 } } }));
      const live = page.items.find((m) => m.unit_id === unitId && m.status === 'recorded');
      if (!live) return null;
      return unwrap(api.GET('/api/v1/dues/months/{collection_id}', { params: { path: { collection_id: live.collection_id } } }));
    },
  });
}

/** The unit's newest live record before a month: the salaries it used are the starting point of a new month. */
export function usePreviousMonth(unitId: string, month: string, enabled: boolean) {
  return useQuery({
    queryKey: ['dues', 'previous', unitId, month],
    queryFn: async () => {
      const page = await unwrap(api.GET('/api/v1/dues/months', { params: { query: { unit_id: unitId, limit: 24 } } }));
      const before = page.items.find((m) => m.unit_id === unitId && m.month.slice(0, 7) < month);
      if (!before) return null;
      return unwrap(api.GET('/api/v1/dues/months/{collection_id}', { params: { path: { collection_id: before.collection_id } } }));
    },
    enabled,
  });
}

/** Every member of the unit itself (not of units below), all pages. */
export function useUnitMembers(unitId: string) {
  return useQuery({
    queryKey: ['dues', 'members', unitId],
    queryFn: async () => {
      const members: Member[] = [];
      let after: string | undefined;
      do {
        const page = await unwrap(api.GET('/api/v1/members/units/{unit_id}/members', {
          params: { path: { unit_id: unitId }, query: { after, limit: 500 } } }));
        members.push(...page.items);
        after = page.next_cursor ?? undefined;
      } while (after);
      return members;
    },
  });
}

export function useRecordMonth() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: MonthRecord) => unwrap(api.POST('/api/v1/dues/months', { body })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['dues'] }),
  });
}

/** The subtree's summary of each month of a year up to the current month, oldest first. */
export const yearSummaryQuery = (unitId: string, year: number) => ({
  queryKey: ['dues', 'summary', unitId, year],
  queryFn: () => unwrap(api.GET('/api/v1/dues/summary/year', { params: { query: { unit_id: unitId, year } } })),
});

export function useYearSummary(unitId: string, year: number) {
  return useQuery(yearSummaryQuery(unitId, year));
}

export type PolicyIn = Schemas['PolicyIn'];
export type ExemptionReason = Schemas['ExemptionReasonIn'];

/** A new policy from a month's first day (the national centre's decision); the answer is every policy. */
export function useAddPolicy() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: PolicyIn) => unwrap(api.POST('/api/v1/dues/policies', { body })),
    onSuccess: (policies) => queryClient.setQueryData(['dues', 'policies'], policies),
  });
}

/** A policy's exemption reasons named again, added to, or (before it applies) taken off. */
export function useSetExemptionReasons() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ effectiveFrom, reasons }: { effectiveFrom: string; reasons: ExemptionReason[] }) =>
      unwrap(api.PUT('/api/v1/dues/policies/{effective_from}/exemption-reasons', {
        params: { path: { effective_from: effectiveFrom } }, body: { exemption_reasons: reasons } })),
    onSuccess: (policies) => queryClient.setQueryData(['dues', 'policies'], policies),
  });
}

/** What the year's screen of `unitId` asks for first (this year's summaries; the unit's own months when it collects
 * dues), asked for by the startup prefetch beside the screen's code, under the keys the screen reads. */
export function prefetchDuesYear(client: QueryClient, unitId: string, today = dayjs()): void {
  void client.prefetchQuery(yearSummaryQuery(unitId, today.year()));
  void Promise.all([
    client.fetchQuery({ queryKey: ['units', unitId], queryFn: () => fetchUnit(unitId) }),
    client.fetchQuery(unitTypesQuery),
  ]).then(([unit, types]) => {
    if (types.find((t) => t.code === unit.type_code)?.can_collect_dues) {
      void client.prefetchQuery(recordedMonthsQuery(unitId, today.year()));
    }
  }, () => undefined);
}
