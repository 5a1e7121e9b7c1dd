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

/** The trail screen's page size. */
export const FIRST_PAGE = 50;

/** The platform's merged audit trail (every service's, within the user's subtrees), newest first. */
export const auditTrailQuery = (query: AuditQuery) => ({
  queryKey: ['audit', query],
  queryFn: () => unwrap(api.GET('/api/v1/audit', { params: { query } })),
});

export function useAudit(query: AuditQuery) {
  return useQuery({ ...auditTrailQuery(query), placeholderData: keepPreviousData });
}
