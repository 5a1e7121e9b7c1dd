/** How far an import is and how long it will take, from what the import's status says. */

export type ImportProgress = {
  percent: number;
  rowsDone: number;
  totalRows: number;
  rowsPerSecond: number | null;
  secondsLeft: number | null;
};

type Status = {
  rows_done: number;
  total_rows: number;
  rows_per_second?: number | null;
  started_at?: string | null;
};

export function estimate(status: Status, now: number = Date.now()): ImportProgress {
  const total = Math.max(status.total_rows, 0);
  const done = Math.min(Math.max(status.rows_done, 0), total || status.rows_done);
  let rate = status.rows_per_second ?? null;
  if ((rate === null || rate <= 0) && status.started_at && done > 0) {
    const elapsed = (now - Date.parse(status.started_at)) / 1000;
    rate = elapsed > 0 ? done / elapsed : null;
  }
  const percent = total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : 0;
  const secondsLeft = rate && rate > 0 && total > 0 ? Math.max(0, (total - done) / rate) : null;
  return { percent, rowsDone: done, totalRows: total, rowsPerSecond: rate && rate > 0 ? rate : null, secondsLeft };
}
