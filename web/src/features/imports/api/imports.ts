import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type Schemas, unwrap } from '@/lib/api';

export type Import = Schemas['ImportOut'];
export type StagedRow = Schemas['StagedRow'];

/** Still working on it: the page asks again every second. */
export const RUNNING = ['uploaded', 'validating', 'committing'];

export function useImport(importId: string) {
  return useQuery({
    queryKey: ['imports', importId],
    queryFn: () => unwrap(api.GET('/api/v1/members/imports/{import_id}', { params: { path: { import_id: importId } } })),
    refetchInterval: (query) => (query.state.data && RUNNING.includes(query.state.data.status) ? 1000 : false),
  });
}

export function useRecentImports(unitId: string) {
  return useQuery({
    queryKey: ['imports', 'recent', unitId],
    queryFn: () => unwrap(api.GET('/api/v1/members/imports', { params: { query: { unit_id: unitId, limit: 10 } } })),
  });
}

export function useStagedRows(importId: string, only: 'errors' | 'warnings' | 'all', after: number, enabled: boolean) {
  return useQuery({
    queryKey: ['imports', importId, 'rows', only, after],
    queryFn: () => unwrap(api.GET('/api/v1/members/imports/{import_id}/rows', {
      params: { path: { import_id: importId }, query: { only, after, limit: 100 } },
    })),
    enabled,
    placeholderData: (previous) => previous,
  });
}

export function useCommitImport(importId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (mode: 'valid_rows_only' | 'all_or_nothing') =>
      unwrap(api.POST('/api/v1/members/imports/{import_id}/commit', { params: { path: { import_id: importId } }, body: { mode } })),
    onSuccess: (row) => {
      queryClient.setQueryData(['imports', importId], row);
      void queryClient.invalidateQueries({ queryKey: ['members'] });
    },
  });
}
