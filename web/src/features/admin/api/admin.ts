/**
 * Identity's administration API: users of the subtree and their roles, delegations (uỷ quyền), handovers (bàn giao)
 * and machine clients. Whatever the user may not do, the API refuses; the app only asks.
 */

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type Schemas, unwrap } from '@/lib/api';

export type UserSummary = Schemas['UserSummary'];
export type User = Schemas['UserOut'];
export type Grant = Schemas['GrantOut'];
export type UserCreate = Schemas['UserCreate'];
export type Delegation = Schemas['DelegationOut'];
export type DelegationIn = Schemas['DelegationIn'];
export type HandoverIn = Schemas['HandoverIn'];
export type Client = Schemas['ClientOut'];
export type ClientCreate = Schemas['ClientCreate'];
export type ClientKind = Schemas['ClientKind'];

export type UserFilter = { unit_id?: string; q?: string; status?: 'active' | 'disabled'; after?: string; limit?: number };

/** The users of a subtree, a page of 50; the page load asks for the first page (app/prefetch.ts). */
export const usersQuery = (filter: UserFilter) => ({
  queryKey: ['users', filter],
  queryFn: () => unwrap(api.GET('/api/v1/identity/users', { params: { query: { limit: 50, ...filter } } })),
});

export function useUsers(filter: UserFilter, enabled = true) {
  return useQuery({
    ...usersQuery(filter),
    placeholderData: (previous) => previous,
    enabled,
  });
}

export function useUser(userId: string | undefined) {
  return useQuery({
    queryKey: ['users', 'one', userId],
    queryFn: () => unwrap(api.GET('/api/v1/identity/users/{user_id}', { params: { path: { user_id: userId as string } } })),
    enabled: Boolean(userId),
  });
}

function useInvalidate(...keys: string[]) {
  const queryClient = useQueryClient();
  return () => {
    for (const key of keys) void queryClient.invalidateQueries({ queryKey: [key] });
  };
}

export function useCreateUser() {
  const changed = useInvalidate('users');
  return useMutation({
    mutationFn: (body: UserCreate) => unwrap(api.POST('/api/v1/identity/users', { body })),
    onSuccess: changed,
  });
}

export type UserAction =
  | { action: 'reset-password' }
  | { action: 'require-totp' }
  | { action: 'disable'; reason: string }
  | { action: 'grant'; role: string; unit_id: string }
  | { action: 'revoke'; grant_id: string };

/** One administrative step on a user; answers the user as it is afterwards (with a temporary password once). */
export function useUserAction(userId: string) {
  const changed = useInvalidate('users');
  return useMutation({
    mutationFn: async (step: UserAction): Promise<User | undefined> => {
      const path = { user_id: userId };
      switch (step.action) {
        case 'reset-password':
          return unwrap(api.POST('/api/v1/identity/users/{user_id}/reset-password', { params: { path }, body: {} }));
        case 'require-totp':
          return unwrap(api.POST('/api/v1/identity/users/{user_id}/require-totp', { params: { path } }));
        case 'disable':
          return unwrap(api.POST('/api/v1/identity/users/{user_id}/disable', {
            params: { path }, body: { reason: step.reason } }));
        case 'grant':
          await unwrap(api.POST('/api/v1/identity/users/{user_id}/roles', {
            params: { path }, body: { role: step.role, unit_id: step.unit_id } }));
          return undefined;
        case 'revoke':
          await unwrap(api.DELETE('/api/v1/identity/users/{user_id}/roles/{grant_id}', {
            params: { path: { ...path, grant_id: step.grant_id } } }));
          return undefined;
      }
    },
    onSuccess: changed,
  });
}

export function useDelegations(after?: string) {
  return useQuery({
    queryKey: ['delegations', after],
    queryFn: () => unwrap(api.GET('/api/v1/identity/delegations', { params: { query: { after, limit: 50 } } })),
    placeholderData: (previous) => previous,
  });
}

export function useDelegate() {
  const changed = useInvalidate('delegations', 'users');
  return useMutation({
    mutationFn: (body: DelegationIn) => unwrap(api.POST('/api/v1/identity/delegations', { body })),
    onSuccess: changed,
  });
}

export function useEndDelegation() {
  const changed = useInvalidate('delegations', 'users');
  return useMutation({
    mutationFn: (delegationId: string) => unwrap(api.POST('/api/v1/identity/delegations/{delegation_id}/end', {
      params: { path: { delegation_id: delegationId } } })),
    onSuccess: changed,
  });
}

export function useHandover(unitId: string) {
  const changed = useInvalidate('users', 'delegations');
  return useMutation({
    mutationFn: (body: HandoverIn) => unwrap(api.POST('/api/v1/identity/units/{unit_id}/handover', {
      params: { path: { unit_id: unitId } }, body })),
    onSuccess: changed,
  });
}

export function useClients(unitId: string, after?: string) {
  return useQuery({
    queryKey: ['clients', unitId, after],
    queryFn: () => unwrap(api.GET('/api/v1/identity/clients', { params: { query: { unit_id: unitId, after, limit: 50 } } })),
    placeholderData: (previous) => previous,
  });
}

export function useScopes() {
  return useQuery({
    queryKey: ['scopes'],
    queryFn: () => unwrap(api.GET('/api/v1/identity/scopes')),
    staleTime: 60 * 60_000,
  });
}

export function useCreateClient() {
  const changed = useInvalidate('clients');
  return useMutation({
    mutationFn: (body: ClientCreate) => unwrap(api.POST('/api/v1/identity/clients', { body })),
    onSuccess: changed,
  });
}

export type ClientAction = { action: 'rotate' } | { action: 'disable'; reason: string };

export function useClientAction(clientId: string) {
  const changed = useInvalidate('clients');
  return useMutation({
    mutationFn: (step: ClientAction): Promise<Client & { client_secret?: string }> => {
      const params = { path: { client_id: clientId } };
      return step.action === 'rotate'
        ? unwrap(api.POST('/api/v1/identity/clients/{client_id}/rotate-secret', { params }))
        : unwrap(api.POST('/api/v1/identity/clients/{client_id}/disable', { params, body: { reason: step.reason } }));
    },
    onSuccess: changed,
  });
}
