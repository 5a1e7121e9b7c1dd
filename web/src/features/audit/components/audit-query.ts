import type dayjs from 'dayjs';
import type { AuditQuery } from '../api/audit';

export type Values = {
  unit_id?: string;
  actor?: string;
  action?: string;
  outcome?: AuditQuery['outcome'];
  period?: [dayjs.Dayjs | null, dayjs.Dayjs | null] | null;
  request_id?: string;
};

/** The form's values as the API's filters: a period of whole days in the user's time zone. */
export function auditQuery(values: Values): AuditQuery {
  const [from, to] = values.period ?? [null, null];
  const text = (value: string | undefined) => value?.trim() || undefined;
  return {
    unit_id: values.unit_id || undefined,
    actor: text(values.actor),
    action: text(values.action),
    outcome: values.outcome || undefined,
    since: from ? from.startOf('day').format() : undefined,
    until: to ? to.add(1, 'day').startOf('day').format() : undefined,
    request_id: text(values.request_id),
  };
}
