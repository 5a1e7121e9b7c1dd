import { describe, expect, it } from 'vitest';
import { estimate } from './progress';

describe('estimate', () => {
  it('uses the rate the import reports for the time left', () => {
    const progress = estimate({ rows_done: 25_000, total_rows: 100_000, rows_per_second: 5_000 });
    expect(progress).toEqual({ percent: 25, rowsDone: 25_000, totalRows: 100_000, rowsPerSecond: 5_000, secondsLeft: 15 });
  });

  it('works the rate out from the start time when the import has not reported one yet', () => {
    const start = Date.parse('2026-12-02T06:00:00Z');
    const progress = estimate({ rows_done: 3_000, total_rows: 9_000, rows_per_second: null,
                                started_at: '2026-12-02T06:00:00Z' }, start + 10_000);
    expect(progress.rowsPerSecond).toBe(300);
    expect(progress.secondsLeft).toBe(20);
  });

  it('knows nothing of the time left before the first rows, and never passes 100 %', () => {
    expect(estimate({ rows_done: 0, total_rows: 0 })).toMatchObject({ percent: 0, secondsLeft: null });
    expect(estimate({ rows_done: 120, total_rows: 100, rows_per_second: 10 })).toMatchObject({ percent: 100, secondsLeft: 0 });
  });
});
