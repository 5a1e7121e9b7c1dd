import { describe, expect, it } from 'vitest';
import { describeRead } from './personal-read';

describe('describeRead', () => {
  it('names the member whose unmasked record was shown', () => {
    expect(describeRead('member_id=0192f0e4-7b1c-7d2e-8f00-1234567890ab; sensitive fields shown'))
      .toEqual({ kind: 'member', memberId: '0192f0e4-7b1c-7d2e-8f00-1234567890ab' });
  });
  it('reads an export with its filter and row count', () => {
    expect(describeRead('export xlsx; filter unit_id=abc,status=active; rows 120'))
      .toEqual({ kind: 'export', format: 'xlsx', filter: 'unit_id=abc,status=active', rows: 120 });
    expect(describeRead('export csv; filter -; rows 0')).toEqual({ kind: 'export', format: 'csv', filter: '', rows: 0 });
  });
  it('keeps anything else as it was recorded', () => {
    expect(describeRead(null)).toEqual({ kind: 'other', text: '' });
    expect(describeRead('card=1')).toEqual({ kind: 'other', text: 'card=1' });
  });
});
