import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type Schemas, unwrap } from '@/lib/api';

export type Transfer = Schemas['TransferOut'];
export type Direction = 'incoming' | 'outgoing';

export function useTransfers(direction: Direction, status: Transfer['status'] | undefined, after: string | undefined) {
  return useQuery({
    queryKey: ['transfers', direction, status, after],
    queryFn: () => unwrap(api.GET('/api/v1/members/transfers', { params: { query: { direction, status, after, limit: 50 } } })),
    placeholderData: (previous) => previous,
  });
}

export function useCloseTransfer() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ transferId, action, reason }: { transferId: string; action: 'accept' | 'cancel'; reason?: string }) => {
      const params = { path: { transfer_id: transferId } };
      return action === 'accept'
        ? unwrap(api.POST('/api/v1/members/transfers/{transfer_id}/acceptance', { params }))
        : unwrap(api.POST('/api/v1/members/transfers/{transfer_id}/cancellation', { params, body: { reason: reason ?? '' } }));
    },
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['transfers'] });
      void queryClient.invalidateQueries({ queryKey: ['members'] });
    },
  });
}
