import { useMedia } from '@/lib/media';
import type { SearchQuery } from '../api/members';

export const PAGE_SIZES = [20, 50, 100];
/** A phone's screen: the list shows cards rather than the table. */
export const PHONE = '(max-width: 600px)';
/**
 * The list starts with the smallest page on every screen: a phone shows a screenful at a time and renders each row
 * on a slow CPU, and a desktop's first render of 50 table rows was most of the time between the data's arrival and
 * the rows shown (a trace: a 120–180 ms task after the last answer). The officer picks a larger page in the pager.
 * The page-load prefetch (app/prefetch.ts) asks for the same size, so the list finds its first page in the cache.
 */
export const FIRST_PAGE_SIZE = PAGE_SIZES[0];

export function usePhone(): boolean {
  return useMedia(PHONE);
}

/** The members list's filters as they stand in the address bar (so "back" and a shared link keep them). */
export type Filters = {
  q: string;
  status: string[];
  gender?: string;
  card_status?: string;
  enterprise_type?: string;
  unit?: string;
};

export function filtersOf(params: URLSearchParams): Filters {
  return {
    q: params.get('q') ?? '',
    status: params.getAll('status'),
    gender: params.get('gender') ?? undefined,
    card_status: params.get('card_status') ?? undefined,
    enterprise_type: params.get('enterprise_type') ?? undefined,
    unit: params.get('unit') ?? undefined,
  };
}

export function paramsOf(filters: Filters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.q.trim()) params.set('q', filters.q.trim());
  for (const status of filters.status) params.append('status', status);
  for (const key of ['gender', 'card_status', 'enterprise_type', 'unit'] as const) {
    const value = filters[key];
    if (value) params.set(key, value);
  }
  return params;
}

/** The API query of a page of the list: the filters, inside the unit (or the sub-unit chosen), after a cursor. */
export function searchQuery(unitId: string, filters: Filters, limit: number, after?: string): SearchQuery {
  return {
    unit_id: filters.unit ?? unitId,
    q: filters.q.trim() || undefined,
    status: filters.status.length ? (filters.status as SearchQuery['status']) : undefined,
    gender: filters.gender as SearchQuery['gender'],
    card_status: filters.card_status as SearchQuery['card_status'],
    enterprise_type: filters.enterprise_type,
    limit,
    after,
  };
}
