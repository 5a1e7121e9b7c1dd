/**
 * Who the user is and what the menus may offer. This only decides what to show: the API decides what each
 * user may see and do, in SQL, and the app never filters data for scope itself.
 */

import { useQuery } from '@tanstack/react-query';
import { api, type Schemas, unwrap } from './api';
import { useSession } from './session-hooks';

export type Me = Schemas['UserOut'];
export type Grant = Schemas['GrantOut'];
export type UnitSummary = Schemas['UnitSummary'];

export const PERMISSIONS = {
  unitsWrite: 'units.write',
  usersRead: 'users.read',
  usersWrite: 'users.write',
  membersRead: 'members.read',
  membersWrite: 'members.write',
  membersApprove: 'members.approve',
  membersTransfer: 'members.transfer',
  duesRead: 'dues.read',
  duesWrite: 'dues.write',
  cardsRead: 'cards.read',
  cardsOrder: 'cards.order',
  cardsSetFees: 'cards.set_fees',
  reportsRead: 'reports.read',
  auditRead: 'audit.read',
} as const;

export type Permission = (typeof PERMISSIONS)[keyof typeof PERMISSIONS];

export const meQuery = {
  queryKey: ['me'],
  queryFn: () => unwrap(api.GET('/api/v1/identity/me')),
  staleTime: 5 * 60_000,
};

export function useMe() {
  const state = useSession();
  return useQuery({ ...meQuery, enabled: state.status === 'signed-in' });
}

/** The unit's ancestors, the national centre first (for breadcrumbs and for which grants reach the unit). */
export const ancestorsQuery = (unitId: string | undefined) => ({
  queryKey: ['units', unitId, 'ancestors'],
  queryFn: async () => {
    const page = await unwrap(
      api.GET('/api/v1/orgtree/units/{unit_id}/ancestors', { params: { path: { unit_id: unitId as string } } }),
    );
    // The API counts the unit among its own ancestors (depth 0): the breadcrumbs add it themselves.
    return page.items.filter((unit) => unit.unit_id !== unitId);
  },
  staleTime: 5 * 60_000,
});

export function useAncestors(unitId: string | undefined) {
  return useQuery({ ...ancestorsQuery(unitId), enabled: Boolean(unitId) });
}

/** The grants of `me` that reach a unit whose chain (ancestors and itself) is `chain`. */
export function grantsReaching(me: Me | undefined, chain: string[]): Grant[] {
  if (!me) return [];
  const units = new Set(chain);
  return me.grants.filter((grant) => units.has(grant.unit_id));
}

export type Access = {
  can: (permission: Permission) => boolean;
  /** A role held (own or delegated) on the unit or above it. */
  hasRole: (role: string) => boolean;
  /** Some of what the user may do here comes from a delegation (uỷ quyền). */
  delegated: boolean;
  ready: boolean;
};

export function useAccess(unitId: string | undefined): Access {
  const me = useMe();
  const ancestors = useAncestors(unitId);
  const chain = [...(ancestors.data ?? []).map((unit) => unit.unit_id), ...(unitId ? [unitId] : [])];
  const grants = grantsReaching(me.data, chain);
  const permissions = new Set(grants.flatMap((grant) => grant.permissions ?? []));
  return {
    can: (permission) => permissions.has(permission),
    hasRole: (role) => grants.some((grant) => grant.role === role),
    delegated: grants.some((grant) => grant.delegation_id),
    ready: me.isSuccess && ancestors.isSuccess,
  };
}
