/** The unit tree as every screen needs it: one unit, its children page by page, search by name or code. */

import { useQuery } from '@tanstack/react-query';
import { api, type Schemas, unwrap } from '@/lib/api';

export type Unit = Schemas['UnitOut'];
export type UnitSummary = Schemas['UnitSummary'];

export const CHILDREN_PAGE = 200;

/** The unit type catalogue: what each type of unit may do (admit members, collect dues, order cards…). */
export const unitTypesQuery = {
  queryKey: ['unit-types'],
  queryFn: () => unwrap(api.GET('/api/v1/orgtree/unit-types')),
  staleTime: 60 * 60_000,
};

export function useUnitTypes() {
  return useQuery(unitTypesQuery);
}

/** One unit. `priority: 'low'` for a name beside each row of a list: on a slow network, with a browser's six
 * connections to a host, twenty such lookups would otherwise hold back the list's next search or page. */
export function useUnit(unitId: string | undefined, priority?: RequestPriority) {
  return useQuery({
    queryKey: ['units', unitId],
    queryFn: () => fetchUnit(unitId as string, priority),
    enabled: Boolean(unitId),
  });
}

export function fetchUnit(unitId: string, priority?: RequestPriority): Promise<Unit> {
  return unwrap(api.GET('/api/v1/orgtree/units/{unit_id}', { params: { path: { unit_id: unitId } }, priority }));
}

export function fetchChildren(unitId: string, after?: string | null) {
  return unwrap(
    api.GET('/api/v1/orgtree/units/{unit_id}/children', {
      params: { path: { unit_id: unitId }, query: { limit: CHILDREN_PAGE, after: after ?? undefined } },
    }),
  );
}

export function searchUnits(q: string) {
  return unwrap(api.GET('/api/v1/orgtree/units', { params: { query: { q, limit: 20 } } }));
}

export function useUnitSearch(q: string) {
  const text = q.trim();
  return useQuery({
    queryKey: ['units', 'search', text],
    queryFn: () => searchUnits(text),
    enabled: text.length >= 2,
    staleTime: 60_000,
  });
}

/** Units that admit members anywhere in the country (where a member may transfer to), for any signed-in user. */
export function useUnitDirectory(q: string) {
  const text = q.trim();
  return useQuery({
    queryKey: ['units', 'directory', text],
    queryFn: () => unwrap(api.GET('/api/v1/orgtree/directory', { params: { query: { q: text, limit: 20 } } })),
    enabled: text.length >= 2,
    staleTime: 60_000,
  });
}
