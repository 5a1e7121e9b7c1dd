import type { Delegation } from '../api/admin';

/** Where a delegation stands today. */
export function delegationState(delegation: Delegation, on: string): { label: string; color: string; live: boolean } {
  if (delegation.ended_at) return { label: 'Đã thu hồi', color: 'default', live: false };
  if (delegation.ends_on < on) return { label: 'Đã hết hạn', color: 'default', live: false };
  if (delegation.starts_on > on) return { label: 'Chưa bắt đầu', color: 'blue', live: true };
  return { label: 'Đang hiệu lực', color: 'green', live: true };
}
