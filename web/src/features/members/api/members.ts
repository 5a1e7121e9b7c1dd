import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type Schemas, unwrap } from '@/lib/api';

export type Member = Schemas['MemberOut'];
export type MemberRow = Schemas['MemberSummary'];
export type MemberCreate = Schemas['MemberCreate'];
export type HistoryEntry = Schemas['HistoryEntry'];
export type SearchQuery = NonNullable<
  import('@/lib/api').paths['/api/v1/members/search']['get']['parameters']['query']
>;

export const memberSearch = (query: SearchQuery) => ({
  queryKey: ['members', 'search', query],
  queryFn: () => unwrap(api.GET('/api/v1/members/search', { params: { query } })),
});

export function useMemberSearch(query: SearchQuery) {
  return useQuery({ ...memberSearch(query), placeholderData: (previous) => previous });
}

export function useMember(memberId: string) {
  return useQuery({
    queryKey: ['members', memberId],
    queryFn: () => unwrap(api.GET('/api/v1/members/members/{member_id}', { params: { path: { member_id: memberId } } })),
  });
}

export function useMemberHistory(memberId: string) {
  return useQuery({
    queryKey: ['members', memberId, 'history'],
    queryFn: () => unwrap(api.GET('/api/v1/members/members/{member_id}/history', {
      params: { path: { member_id: memberId } },
    })),
  });
}

export function useCreateMember() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: MemberCreate) => unwrap(api.POST('/api/v1/members/members', { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['members'] }),
  });
}

/** Every change of one member: the answer is the member as it is now. */
export type MemberChange =
  | { kind: 'correct'; changes: Record<string, unknown>; reason: string }
  | { kind: 'position'; position: string | null; reason?: string }
  | { kind: 'suspend'; until: string; reason: string }
  | { kind: 'resume'; reason?: string }
  | { kind: 'retire'; reason?: string }
  | { kind: 'remove'; reason: string }
  | { kind: 'decide'; decision: 'approve' | 'reject'; reason?: string };

export function useChangeMember(memberId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (change: MemberChange): Promise<Member> => {
      const params = { path: { member_id: memberId } };
      switch (change.kind) {
        case 'correct':
          return unwrap(api.PATCH('/api/v1/members/members/{member_id}', {
            params, body: { changes: change.changes, reason: change.reason } }));
        case 'position':
          return unwrap(api.PUT('/api/v1/members/members/{member_id}/position', {
            params, body: { position: change.position, reason: change.reason } }));
        case 'suspend':
          return unwrap(api.POST('/api/v1/members/members/{member_id}/suspension', {
            params, body: { until: change.until, reason: change.reason } }));
        case 'resume':
          return unwrap(api.POST('/api/v1/members/members/{member_id}/resumption', {
            params, body: { reason: change.reason } }));
        case 'retire':
          return unwrap(api.POST('/api/v1/members/members/{member_id}/retirement', {
            params, body: { reason: change.reason } }));
        case 'remove':
          return unwrap(api.POST('/api/v1/members/members/{member_id}/removal', {
            params, body: { reason: change.reason } }));
        case 'decide':
          return unwrap(api.POST('/api/v1/members/members/{member_id}/decision', {
            params, body: { decision: change.decision, reason: change.reason } }));
      }
    },
    onSuccess: (member) => {
      queryClient.setQueryData(['members', memberId], member);
      void queryClient.invalidateQueries({ queryKey: ['members'] });
    },
  });
}

export function useRequestTransfer(memberId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { to_unit_id: string; reason?: string }) =>
      unwrap(api.POST('/api/v1/members/members/{member_id}/transfers', { params: { path: { member_id: memberId } }, body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['members'] }),
  });
}

export function useRequestCards() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { member_ids: string[]; kind?: 'regular' | 'linked'; reason?: 'new' | 'lost' | 'damaged' }) =>
      unwrap(api.POST('/api/v1/cards/requests', { body: { reason: 'new', ...body } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['members'] }),
  });
}

export function useBulkDecision() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas['BulkDecision']) => unwrap(api.POST('/api/v1/members/decisions', { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['members'] }),
  });
}

/** The member's consent to share ID number, date of birth and phone with the bank issuing their linked card:
 * recorded with the date on the signed form (`given_on`), or withdrawn (`null`). */
export function useBankConsent(memberId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (givenOn: string | null): Promise<Member> => {
      const params = { path: { member_id: memberId } };
      return givenOn
        ? unwrap(api.PUT('/api/v1/members/members/{member_id}/bank-consent', { params, body: { given_on: givenOn } }))
        : unwrap(api.DELETE('/api/v1/members/members/{member_id}/bank-consent', { params }));
    },
    onSuccess: (member) => {
      queryClient.setQueryData(['members', memberId], member);
      void queryClient.invalidateQueries({ queryKey: ['members', memberId, 'history'] });
    },
  });
}
