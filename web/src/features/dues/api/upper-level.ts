/**
 * The dues service's API beyond one month: arrears of a subtree, remittances of the upper share with their
 * confirmation, the reconciliation per subunit, and the payroll list computed into a month's lines (a preview).
 */

import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type Schemas, unwrap } from '@/lib/api';
import { uploadFile } from '@/lib/files';

export type MemberArrears = Schemas['MemberArrearsOut'];
export type Remittance = Schemas['RemittanceOut'];
export type RemittanceIn = Schemas['RemittanceIn'];
export type Reconciliation = Schemas['Reconciliation'];
export type ReconciliationLine = Schemas['ReconciliationLine'];
export type PayrollPreview = Schemas['PayrollPreview'];
export type Grouping = 'children' | 'grassroots';

export function useArrearsSummary(unitId: string) {
  return useQuery({
    queryKey: ['dues', 'arrears', unitId, 'summary'],
    queryFn: () => unwrap(api.GET('/api/v1/dues/arrears/summary', { params: { query: { unit_id: unitId } } })),
  });
}

export function useArrears(unitId: string, after: string | undefined) {
  return useQuery({
    queryKey: ['dues', 'arrears', unitId, after],
    queryFn: () => unwrap(api.GET('/api/v1/dues/arrears', { params: { query: { unit_id: unitId, after, limit: 50 } } })),
    placeholderData: keepPreviousData,
  });
}

export function useRemittances(unitId: string, after: string | undefined) {
  return useQuery({
    queryKey: ['dues', 'remittances', unitId, after],
    queryFn: () => unwrap(api.GET('/api/v1/dues/remittances', { params: { query: { unit_id: unitId, after, limit: 50 } } })),
    placeholderData: keepPreviousData,
  });
}

export function useRecordRemittance() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: RemittanceIn) => unwrap(api.POST('/api/v1/dues/remittances', { body })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['dues'] }),
  });
}

export function useConfirmRemittance() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ remittanceId, receivedOn }: { remittanceId: string; receivedOn: string }) =>
      unwrap(api.POST('/api/v1/dues/remittances/{remittance_id}/confirm', {
        params: { path: { remittance_id: remittanceId } }, body: { received_on: receivedOn } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['dues'] }),
  });
}

export type ReconciliationQuery = { unit_id: string; month_from: string; month_to: string; by: Grouping };

export function useReconciliation(query: ReconciliationQuery) {
  return useQuery({
    queryKey: ['dues', 'reconciliation', query],
    queryFn: () => unwrap(api.GET('/api/v1/dues/reconciliation', { params: { query } })),
    placeholderData: keepPreviousData,
    retry: false,
  });
}

/** The salary list computed into the month's lines; nothing is recorded. */
export function previewPayroll(unitId: string, month: string, file: File, onPercent?: (percent: number) => void) {
  return uploadFile<PayrollPreview>('/api/v1/dues/payroll/preview', { unit_id: unitId, month }, file, onPercent);
}
