import dayjs from 'dayjs';
import { describe, expect, it } from 'vitest';
import { clipToLedger, currentTerm, lastTwelveMonths } from './periods';

describe('lastTwelveMonths', () => {
  it('covers the last year month by month, the current month up to today', () => {
    const periods = lastTwelveMonths(dayjs('2026-03-15'));
    expect(periods).toHaveLength(12);
    expect(periods[0]).toEqual({ from: '2025-04-01', to: '2025-04-30' });
    expect(periods[10]).toEqual({ from: '2026-02-01', to: '2026-02-28' });
    expect(periods[11]).toEqual({ from: '2026-03-01', to: '2026-03-15' });
  });
});

describe('currentTerm', () => {
  it('is the five-year term of the congress held in 2023, 2028…', () => {
    expect(currentTerm(2023)).toBe('2023-2028');
    expect(currentTerm(2027)).toBe('2023-2028');
    expect(currentTerm(2028)).toBe('2028-2033');
    expect(currentTerm(2020)).toBe('2018-2023');
  });
});

describe('clipToLedger', () => {
  it('answers a period from the figures\' first day, or not at all when it ends before', () => {
    const march = { from: '2026-03-01', to: '2026-03-31' };
    expect(clipToLedger(march, '2026-01-01')).toEqual(march);
    expect(clipToLedger(march, '2026-03-12')).toEqual({ from: '2026-03-12', to: '2026-03-31' });
    expect(clipToLedger(march, '2026-03-31')).toEqual({ from: '2026-03-31', to: '2026-03-31' });
    expect(clipToLedger(march, '2026-04-01')).toBeNull();
  });
});
