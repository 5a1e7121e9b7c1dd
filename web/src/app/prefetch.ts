/**
 * A page load of a signed-in screen asks for the data its address already names (who the user is, the unit, the
 * first page of the members list, the figures of the reports' dashboard, the year's dues, the audit trail's, the users'
 * and the print orders' first pages) as soon as the session is back, while the
 * screen's code is still on its way, instead of after that code has arrived and rendered: on a slow network each of
 * those is a round trip saved.
 * The answers go into the server-state cache under the keys the screens use, so the screens find them there.
 */

import { ancestorsQuery, meQuery } from '@/lib/access';
import { queryClient } from '@/lib/query';
import { fetchUnit } from '@/components/units/api';
import { memberSearch } from '@/features/members/api/members';
import { FIRST_PAGE_SIZE, filtersOf, searchQuery } from '@/features/members/components/member-filters';
import { usersQuery } from '@/features/admin/api/admin';
import { auditTrailQuery, FIRST_PAGE } from '@/features/audit/api/audit';
import { printOrdersQuery } from '@/features/cards/api/cards';
import { prefetchDuesYear } from '@/features/dues/api/dues';
import { prefetchDashboard } from '@/features/reports/api/reports';

const UNIT_SCREEN = /^\/don-vi\/([0-9a-f-]{36})(\/[^/]*)?\/?$/;

export function prefetch(pathname: string, search: string): void {
  void queryClient.prefetchQuery(meQuery);
  const match = UNIT_SCREEN.exec(pathname);
  if (!match) return;
  const [, unitId, section] = match;
  void queryClient.prefetchQuery(ancestorsQuery(unitId));
  void queryClient.prefetchQuery({ queryKey: ['units', unitId], queryFn: () => fetchUnit(unitId) });
  if (section === '/doan-vien') {
    const filters = filtersOf(new URLSearchParams(search));
    void queryClient.prefetchQuery(memberSearch(searchQuery(unitId, filters, FIRST_PAGE_SIZE)));
  }
  if (section === '/bao-cao') {
    prefetchDashboard(queryClient, unitId);
  }
  if (section === '/doan-phi') {
    prefetchDuesYear(queryClient, unitId);
  }
  if (section === '/nhat-ky') {
    void queryClient.prefetchQuery(auditTrailQuery({ limit: FIRST_PAGE }));
  }
  if (section === '/nguoi-dung') {
    void queryClient.prefetchQuery(usersQuery({ unit_id: unitId }));
  }
  if (section === '/the') {
    void queryClient.prefetchQuery(printOrdersQuery(unitId));
  }
}
