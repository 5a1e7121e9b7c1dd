import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type Schemas, unwrap } from '@/lib/api';

export type UnitType = Schemas['UnitTypeOut'];
export type UnitCreate = Schemas['UnitCreate'];
export type UnitUpdate = Schemas['UnitUpdate'];
export type BatchUnit = Schemas['BatchUnit'];

// The type catalogue is shared with other features (which unit types collect dues): it lives with the unit tree.
export { useUnitTypes } from '@/components/units/api';

export function useChildren(unitId: string, after: string | undefined) {
  return useQuery({
    queryKey: ['units', unitId, 'children', after ?? ''],
    queryFn: () => unwrap(api.GET('/api/v1/orgtree/units/{unit_id}/children', {
      params: { path: { unit_id: unitId }, query: { limit: 50, after } },
    })),
    placeholderData: (previous) => previous,
  });
}

/** Members of each unit's subtree (reporting's read model), for a page of units. */
export function useMemberCounts(unitIds: string[], enabled: boolean) {
  return useQuery({
    queryKey: ['member-counts', ...unitIds],
    queryFn: async () => {
      const rows = await unwrap(api.GET('/api/v1/reporting/member-counts', { params: { query: { unit_id: unitIds } } }));
      return new Map(rows.map((row) => [row.unit_id, row]));
    },
    enabled: enabled && unitIds.length > 0,
  });
}

export function useTreeAsOf(unitId: string, asOf: string | undefined) {
  return useQuery({
    queryKey: ['units', unitId, 'tree', asOf],
    queryFn: () => unwrap(api.GET('/api/v1/orgtree/units/{unit_id}/tree', {
      params: { path: { unit_id: unitId }, query: { as_of: asOf as string, max_depth: 3, limit: 500, include_closed: true } },
    })),
    enabled: Boolean(asOf),
  });
}

/** After any change to the tree: every unit, tree and count query is stale. */
function useUnitsChanged() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: ['units'] });
}

export function useCreateUnit() {
  const changed = useUnitsChanged();
  return useMutation({
    mutationFn: (body: UnitCreate) => unwrap(api.POST('/api/v1/orgtree/units', { body })),
    onSuccess: changed,
  });
}

export function useCreateUnits() {
  const changed = useUnitsChanged();
  return useMutation({
    mutationFn: (body: { units: BatchUnit[]; effective_from?: string }) =>
      unwrap(api.POST('/api/v1/orgtree/units/batch', { body })),
    onSuccess: changed,
  });
}

export function useUpdateUnit(unitId: string) {
  const changed = useUnitsChanged();
  return useMutation({
    mutationFn: (body: UnitUpdate) =>
      unwrap(api.PATCH('/api/v1/orgtree/units/{unit_id}', { params: { path: { unit_id: unitId } }, body })),
    onSuccess: changed,
  });
}

export type Restructure =
  | { kind: 'move'; new_parent_id: string; effective_from?: string }
  | { kind: 'merge'; target_unit_id: string; effective_from?: string }
  | { kind: 'dissolve'; successor_unit_id?: string; effective_from?: string };

export function useRestructure(unitId: string) {
  const changed = useUnitsChanged();
  return useMutation({
    mutationFn: ({ kind, ...body }: Restructure) => {
      const params = { path: { unit_id: unitId } };
      if (kind === 'move') {
        return unwrap(api.POST('/api/v1/orgtree/units/{unit_id}/move', { params, body: body as Schemas['UnitMove'] }));
      }
      if (kind === 'merge') {
        return unwrap(api.POST('/api/v1/orgtree/units/{unit_id}/merge', { params, body: body as Schemas['UnitMerge'] }));
      }
      return unwrap(api.POST('/api/v1/orgtree/units/{unit_id}/dissolve', { params, body: body as Schemas['UnitDissolve'] }));
    },
    onSuccess: changed,
  });
}
