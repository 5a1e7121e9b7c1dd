/** The reporting service's standard reports: the period report of member development, figures by dimension. */

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, type paths, type Schemas, unwrap } from '@/lib/api';

export type PeriodReport = Schemas['PeriodReportOut'];
export type PeriodRow = Schemas['PeriodRowOut'];
export type Breakdown = Schemas['BreakdownOut'];
export type BreakdownRow = Schemas['BreakdownRowOut'];
export type BreakdownQuery = paths['/api/v1/reporting/members/breakdown']['get']['parameters']['query'];
export type Dimension = BreakdownQuery['by'];

export function useDevelopmentReport(query: { unit_id: string; from: string; to: string }) {
  return useQuery({
    queryKey: ['reports', query.unit_id, 'development', query],
    queryFn: () => unwrap(api.GET('/api/v1/reporting/members/development', { params: { query } })),
    placeholderData: keepPreviousData,
    retry: false,
  });
}

export function useBreakdown(query: BreakdownQuery) {
  return useQuery({
    queryKey: ['reports', query.unit_id, 'breakdown', query],
    queryFn: () => unwrap(api.GET('/api/v1/reporting/members/breakdown', { params: { query } })),
    placeholderData: keepPreviousData,
    retry: false,
  });
}

export type UnitFigures = Schemas['UnitFiguresOut'];
export type TargetProgress = Schemas['TargetProgressOut'];

export function useUnitFigures(query: { unit_id: string; from: string; to: string }) {
  return useQuery({
    queryKey: ['reports', query.unit_id, 'unit-figures', query],
    queryFn: () => unwrap(api.GET('/api/v1/reporting/unit-figures', { params: { query } })),
    placeholderData: keepPreviousData,
    retry: false,
  });
}

export function useTargetProgress(query: { unit_id: string; term: string }) {
  return useQuery({
    queryKey: ['reports', query.unit_id, 'targets', query],
    queryFn: () => unwrap(api.GET('/api/v1/reporting/targets', { params: { query } })),
    placeholderData: keepPreviousData,
    retry: false,
  });
}
