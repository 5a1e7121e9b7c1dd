import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type Schemas, unwrap } from '@/lib/api';
import { fetchChildren } from '@/components/units/api';
import { download } from '@/lib/files';

export type FeeSchedule = Schemas['FeeScheduleOut'];
export type FeeScheduleIn = Schemas['FeeScheduleIn'];
export type FeeStatement = Schemas['FeeStatementOut'];
export type FeeStatementOrder = Schemas['FeeStatementOrder'];
export type FeeStatementSubunit = Schemas['FeeStatementSubunit'];
export type FeePayer = FeeSchedule['blank_paid_by'];

export const PAYERS: Record<FeePayer, string> = {
  member_unit: 'Đơn vị của đoàn viên (cấp nào cấp đó chi)',
  ordering_unit: 'Đơn vị đặt in',
};

/** Biểu phí thẻ: past, in force and upcoming schedules, oldest first. */
export function useFeeSchedules() {
  return useQuery({
    queryKey: ['card-fees', 'schedules'],
    queryFn: () => unwrap(api.GET('/api/v1/cards/fees/schedules')),
    staleTime: 10 * 60_000,
  });
}

export function useAddFeeSchedule() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: FeeScheduleIn) => unwrap(api.POST('/api/v1/cards/fees/schedules', { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['card-fees', 'schedules'] }),
  });
}

export type Period = { unit_id: string; date_from: string; date_to: string };

/** Bảng kê phí thẻ of the unit's subtree for the period (orders placed in it, cancelled ones left out). */
export function useFeeStatement(period: Period) {
  return useQuery({
    queryKey: ['card-fees', 'statement', period],
    queryFn: () => unwrap(api.GET('/api/v1/cards/fees/statement', { params: { query: period } })),
    placeholderData: (previous) => previous,
  });
}

export function downloadStatement(period: Period, kind: 'xlsx' | 'pdf'): Promise<void> {
  return download(`/api/v1/cards/fees/statement.${kind}`, period, `bang-ke-phi-the.${kind}`);
}

export type SalaryThroughBank = Schemas['SalaryThroughBankOut'];
export type SalaryThroughBankIn = Schemas['SalaryThroughBankIn'];

/** The units of the subtree recorded as paying salaries through the bank (or no longer): their linked cards are
 * free. */
export function useSalaryUnits(unitId: string) {
  return useQuery({
    queryKey: ['card-fees', 'salary', unitId],
    queryFn: () => unwrap(api.GET('/api/v1/cards/fees/salary-through-bank', { params: { query: { unit_id: unitId } } })),
  });
}

/** The units directly below, the ones whose salaries this unit may record (an upper level records its units'). */
export function useChildUnits(unitId: string) {
  return useQuery({ queryKey: ['card-fees', 'children', unitId], queryFn: async () => (await fetchChildren(unitId)).items });
}

export function useSetSalaryThroughBank(unitId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ unit_id, ...body }: SalaryThroughBankIn & { unit_id: string }) => unwrap(api.PUT(
      '/api/v1/cards/fees/salary-through-bank/{unit_id}', { params: { path: { unit_id } }, body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['card-fees', 'salary', unitId] }),
  });
}
