import type { Line, Member, Policy } from '../api/dues';

/** The policy in force on a month's first day (`month` as YYYY-MM), as the dues service chooses it. */
export function policyFor(month: string, policies: Policy[]): Policy | undefined {
  const first = `${month}-01`;
  return policies.filter((p) => p.effective_from <= first).sort((a, b) => b.effective_from.localeCompare(a.effective_from))[0];
}

/** What a member owes on a salary: `min(salary × rate, cap)`, rounded down to the đồng (the service's rule). */
export function normOf(policy: Policy | undefined, salary: number | null | undefined): number | null {
  if (!policy || salary === null || salary === undefined || Number.isNaN(salary) || salary < 0) return null;
  const cap = Math.floor((policy.base_salary_vnd * policy.cap_percent_of_base) / 100);
  return Math.min(Math.floor((salary * policy.rate_permille) / 1000), cap);
}

export type Exemption = Line['exemption'];

/**
 * The exemption reasons a line of the month may name: the list of the month's policy (a suspended member is
 * exempt for that reason by the service, not chosen). A line recorded earlier with a reason no longer listed
 * keeps it on show, marked, so a correction shows what was recorded.
 */
export function exemptionOptions(policy: Policy | undefined, current?: Exemption): { value: string; label: string }[] {
  const reasons = policy?.exemption_reasons ?? [];
  const options = reasons.map((reason) => ({ value: reason.code, label: reason.name }));
  if (current && !reasons.some((reason) => reason.code === current)) {
    options.push({ value: current, label: `${current} (không còn trong quy định)` });
  }
  return options;
}
export type GridLine = {
  member_id: string;
  full_name: string;
  member_code: string | null;
  salary_vnd: number | null;
  paid_vnd: number | null;
  exemption: Exemption;
};

/**
 * The grid of a month: every paying member of the unit (active or suspended), with what this month already says
 * (a correction starts from the record), or else the salary of the last month recorded and the norm as paid.
 */
export function gridLines(members: Member[], policy: Policy | undefined, recorded: Line[] | null,
                          previous: Line[] | null): GridLine[] {
  const current = new Map((recorded ?? []).map((line) => [line.member_id, line]));
  const before = new Map((previous ?? []).map((line) => [line.member_id, line]));
  const paying = members.filter((m) => m.status === 'active' || m.status === 'suspended');
  return paying
    .map((member) => {
      const line = current.get(member.member_id);
      if (line) {
        return { member_id: member.member_id, full_name: member.full_name, member_code: member.member_code,
                 salary_vnd: line.salary_vnd, paid_vnd: line.paid_vnd, exemption: line.exemption };
      }
      const suspended = member.status === 'suspended';
      const salary = before.get(member.member_id)?.salary_vnd ?? null;
      return { member_id: member.member_id, full_name: member.full_name, member_code: member.member_code,
               salary_vnd: salary, paid_vnd: suspended ? 0 : normOf(policy, salary),
               exemption: suspended ? 'suspended' as const : null };
    })
    .sort((a, b) => a.full_name.localeCompare(b.full_name, 'vi'));
}
