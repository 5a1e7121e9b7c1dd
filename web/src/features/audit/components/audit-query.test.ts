import dayjs from 'dayjs';
import { describe, expect, it } from 'vitest';
import { auditQuery } from './audit-query';

describe('auditQuery', () => {
  it('turns the period into whole days, the last one included, with the offset of the time zone', () => {
    const query = auditQuery({ period: [dayjs('2026-12-01T15:30:00'), dayjs('2026-12-02T08:00:00')] });
    expect(dayjs(query.since).format('YYYY-MM-DD HH:mm')).toBe('2026-12-01 00:00');
    expect(dayjs(query.until).format('YYYY-MM-DD HH:mm')).toBe('2026-12-03 00:00');
    expect(query.since).toMatch(/[+-]\d\d:\d\d$|Z$/);
  });
  it('leaves out what was not filled in and trims what was typed', () => {
    expect(auditQuery({ actor: '  admin ', action: '', request_id: '   ', outcome: 'refused' })).toEqual({
      unit_id: undefined, actor: 'admin', action: undefined, outcome: 'refused', since: undefined, until: undefined,
      request_id: undefined,
    });
  });
});
