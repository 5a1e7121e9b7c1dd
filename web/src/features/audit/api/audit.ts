import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, type Schemas, unwrap } from '@/lib/api';

export type AuditEntry = Schemas['AuditEntry'];
export type AuditPage = Schemas['AuditPage'];
export type AuditQuery = {
  unit_id?: string;
  actor?: string;
  action?: string;
  outcome?: 'success' | 'refused' | 'failed';
  since?: string;
  until?: string;
  request_id?: string;
  kind?: 'write' | 'read';
  after?: string;
  limit?: number;
};

/**
 * The trail screen's page size: 25, a phone's few screens of rows. At 50, a phone's first rows waited for the
 * gateway merging 50 entries of six services and for ~0.35 s of rendering them on a 4×-slowed CPU.
 */
export const FIRST_PAGE = 25;

/** The platform's merged audit trail (every service's, within the user's subtrees), newest first. */
export const auditTrailQuery = (query: AuditQuery) => ({
  queryKey: ['audit', query],
  queryFn: () => unwrap(api.GET('/api/v1/audit', { params: { query } })),
});

export function useAudit(query: AuditQuery) {
  return useQuery({ ...auditTrailQuery(query), placeholderData: keepPreviousData });
}
