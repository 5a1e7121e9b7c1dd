/** The dues service's API (đoàn phí): policies, a unit's recorded months, one month's lines, subtree summaries. */

import { type QueryClient, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import dayjs from 'dayjs';
import { unitTypesQuery } from '@/components/units/api';
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

/** The unit's own live records of a year (the unit alone: at most twelve, one request whatever its subtree),
 * newest month first. */
export const recordedMonthsQuery = (unitId: string, year: number) => ({
  queryKey: ['dues', 'months', unitId, year],
  queryFn: async () => {
    const page = await unwrap(api.GET('/api/v1/dues/months', {
      params: { query: { unit_id: unitId, subtree: false, limit: 500 } },
    }));
    return page.items.filter((m) => Number(m.month.slice(0, 4)) === year);
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

/** What the year's screen of `unitId` asks for first (this year's summaries, the unit's own months), asked for by
 * the startup prefetch beside the screen's code, under the keys the screen reads. The months are asked for before it
 * is known whether the unit collects dues: one short answer (empty for a unit that does not) rather than a round
 * trip more on the phone's way to the first rows. */
export function prefetchDuesYear(client: QueryClient, unitId: string, today = dayjs()): void {
  void client.prefetchQuery(yearSummaryQuery(unitId, today.year()));
  void client.prefetchQuery(unitTypesQuery);
  void client.prefetchQuery(recordedMonthsQuery(unitId, today.year()));
}
