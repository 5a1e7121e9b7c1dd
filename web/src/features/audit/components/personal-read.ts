/** What a read of personal data was, from the target the service recorded (see members' `note_read`). */
export type PersonalRead =
  | { kind: 'member'; memberId: string }
  | { kind: 'export'; format: string; filter: string; rows: number | null }
  | { kind: 'other'; text: string };

export function describeRead(target: string | null | undefined): PersonalRead {
  const text = target ?? '';
  const member = /^member_id=([0-9a-f-]{36})(;|$)/i.exec(text);
  if (member) return { kind: 'member', memberId: member[1] };
  const exported = /^export (\w+); filter (.*); rows (\d+)$/.exec(text);
  if (exported) {
    return { kind: 'export', format: exported[1], filter: exported[2] === '-' ? '' : exported[2], rows: Number(exported[3]) };
  }
  return { kind: 'other', text };
}
