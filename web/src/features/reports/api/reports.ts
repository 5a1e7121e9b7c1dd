/** The reporting service's figures for a unit and its subtree: members now, movements of a period, per child. */

import { keepPreviousData, useQueries, useQuery } from '@tanstack/react-query';
import { fetchChildren } from '@/components/units/api';
import { api, type Schemas, unwrap } from '@/lib/api';

export type MemberSummary = Schemas['MemberSummaryOut'];
export type Movements = Schemas['MovementsOut'];
export type UnitTotals = Schemas['UnitTotalsOut'];

export function useMemberSummary(unitId: string) {
  return useQuery({
    queryKey: ['reports', unitId, 'summary'],
    queryFn: () => unwrap(api.GET('/api/v1/reporting/units/{unit_id}/member-summary', {
      params: { path: { unit_id: unitId }, query: { subtree: true } } })),
  });
}

export type Period = { from: string; to: string };

export function fetchMovements(unitId: string, period: Period) {
  return unwrap(api.GET('/api/v1/reporting/units/{unit_id}/movements', {
    params: { path: { unit_id: unitId }, query: period } }));
}

export function useMovements(unitId: string, period: Period) {
  return useQuery({
    queryKey: ['reports', unitId, 'movements', period],
    queryFn: () => fetchMovements(unitId, period),
    placeholderData: keepPreviousData,
    retry: false,
  });
}

/** One period per month (the month's first day to its last, or to today): members at each month's end. */
export function useMonthlyMovements(unitId: string, periods: Period[]) {
  return useQueries({
    queries: periods.map((period) => ({
      queryKey: ['reports', unitId, 'movements', period],
      queryFn: () => fetchMovements(unitId, period),
      staleTime: 5 * 60_000,
    })),
  });
}

/** The unit's direct children (the first 200) with their subtree's member counts. */
export function useChildCounts(unitId: string) {
  return useQuery({
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
}
