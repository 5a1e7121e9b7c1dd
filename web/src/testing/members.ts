/** A member of the members list's tests: the n-th of a grassroots union, active, with a code. */

import type { MemberRow } from '@/features/members/api/members';

export const UNIT = '11111111-1111-1111-1111-111111111111';

export const memberRow = (n: number, extra: Partial<MemberRow> = {}): MemberRow => ({
  member_id: `00000000-0000-0000-0000-00000000000${n}`, unit_id: UNIT, unit_name: 'CĐCS Công ty May 10',
  full_name: `Nguyễn Thị Lan ${n}`,
  member_code: `CD00${n}`, status: 'active', gender: 'female', date_of_birth: '1990-03-12', position: null,
  card_status: null, ...extra,
} as MemberRow);
