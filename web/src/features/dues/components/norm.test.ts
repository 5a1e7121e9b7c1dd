import { describe, expect, it } from 'vitest';
import type { Member, Policy } from '../api/dues';
import { exemptionOptions, gridLines, normOf, policyFor } from './norm';

const policy = (effective_from: string, rate_permille: number, base_salary_vnd: number): Policy => ({
  effective_from, rate_permille, base_salary_vnd, cap_percent_of_base: 10, grassroots_share_percent: 70,
  decision: '', created_by: 'x', created_at: '2025-01-01T00:00:00Z', upper_level_keeps_percent: 0,
  exemption_reasons: [{ code: 'no_income', name: 'Không có thu nhập' }, { code: 'suspended', name: 'Tạm dừng sinh hoạt' }],
});
const policies = [policy('2024-07-01', 10, 2_340_000), policy('2025-07-01', 5, 2_340_000)];
const member = (id: string, name: string, status: string): Member => ({
  member_id: id, full_name: name, member_code: null, status, gender: 'male', date_of_birth: '1990-01-01',
  unit_id: 'u', unit_name: 'CĐCS', card_status: null, position: null,
});

describe('the norm', () => {
  it('follows the policy in force on the first day of the month', () => {
    expect(policyFor('2025-06', policies)?.rate_permille).toBe(10);
    expect(policyFor('2025-07', policies)?.rate_permille).toBe(5);
    expect(policyFor('2020-01', policies)).toBeUndefined();
  });
  it('is the rate of the salary, rounded down, and never above 10 % of the base salary', () => {
    const p = policyFor('2025-12', policies);
    expect(normOf(p, 8_000_001)).toBe(40_000);
    expect(normOf(p, 100_000_000)).toBe(234_000);
    expect(normOf(p, null)).toBeNull();
  });
});

describe('the exemption reasons of a month', () => {
  it('are the list of the month’s policy, with a reason recorded earlier and no longer listed kept on show', () => {
    const p = { ...policy('2026-01-01', 5, 2_340_000), exemption_reasons: [{ code: 'maternity', name: 'Nghỉ thai sản' }] };
    expect(exemptionOptions(p)).toEqual([{ value: 'maternity', label: 'Nghỉ thai sản' }]);
    expect(exemptionOptions(p, 'no_income').map((o) => o.value)).toEqual(['maternity', 'no_income']);
    expect(exemptionOptions(undefined)).toEqual([]);
  });
});

describe('the grid of a month', () => {
  it('starts from last month’s salaries with the norm as paid, suspended members exempt, by name', () => {
    const lines = gridLines(
      [member('b', 'Trần B', 'active'), member('a', 'Lê A', 'active'), member('c', 'Phạm C', 'suspended'),
       member('d', 'Vũ D', 'retired')],
      policyFor('2025-12', policies), null,
      [{ member_id: 'b', member_code: null, full_name: 'Trần B', salary_vnd: 6_000_000, norm_vnd: 30_000,
         paid_vnd: 30_000, upper_share_vnd: 9_000, exemption: null, outcome: 'paid' }],
    );
    expect(lines.map((l) => [l.full_name, l.salary_vnd, l.paid_vnd, l.exemption])).toEqual([
      ['Lê A', null, null, null], ['Phạm C', null, 0, 'suspended'], ['Trần B', 6_000_000, 30_000, null]]);
  });
});
