import { describe, expect, it } from 'vitest';
import type { Delegation } from '../api/admin';
import { delegationState } from './delegation-state';

const week = {
  delegation_id: 'd', delegator_id: 'a', delegate_id: 'b', unit_id: 'u', reason: 'Nghỉ phép', created_by: 'x',
  created_at: '2026-12-01T00:00:00Z', starts_on: '2026-12-02', ends_on: '2026-12-08', ended_at: null, roles: ['unit_admin'],
} satisfies Delegation;

describe('delegationState', () => {
  it('runs from its first to its last day, both included', () => {
    expect(delegationState(week, '2026-12-02')).toMatchObject({ label: 'Đang hiệu lực', live: true });
    expect(delegationState(week, '2026-12-08')).toMatchObject({ label: 'Đang hiệu lực', live: true });
  });
  it('has not started before its first day and has expired after its last', () => {
    expect(delegationState(week, '2026-12-01')).toMatchObject({ label: 'Chưa bắt đầu', live: true });
    expect(delegationState(week, '2026-12-09')).toMatchObject({ label: 'Đã hết hạn', live: false });
  });
  it('is revoked once ended, whatever the date', () => {
    expect(delegationState({ ...week, ended_at: '2026-12-03T08:00:00Z' }, '2026-12-04'))
      .toMatchObject({ label: 'Đã thu hồi', live: false });
  });
});
