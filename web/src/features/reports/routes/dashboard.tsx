/**
 * Báo cáo: the current unit's dashboard (its whole subtree): members now, women, admissions of the period, card
 * progress; members at each month's end over the last year, members by status, the period's movements, members
 * per direct subunit. Every chart has its table beside it, the same figures in text.
 *
 * On a phone (4× slower CPU, slow 3G) what stood between the figures' data and the figures was the main thread's
 * work (docs/BENCHMARKS.md, issue 16): so the screen is plain HTML (the numbers, the sections, the tables), the
 * period's date picker is loaded once the figures are shown, and an error's panel only when there is one.
 */

import dayjs from 'dayjs';
import { type CSSProperties, lazy, type ReactNode, Suspense, useEffect, useId, useMemo, useState } from 'react';
import { useParams } from 'react-router';
import { DATE_FORMAT, formatNumber } from '@/lib/format';
import { whenIdle } from '@/lib/idle';
import { label, MEMBER_STATUS } from '@/lib/labels';
import {
  lastTwelveMonths, MOVEMENTS, type Movements, type Period, thisYear, useChildCounts, useMemberSummary, useMonthlyMovements, useMovements,
} from '../api/reports';
import { Chart, type ChartSpec } from '../components/chart';
import { FigureTable, orDash, SubunitTable } from '../components/figure-table';
import { ReportsNav } from '../components/reports-nav';

const PeriodForm = lazy(() => import('../components/period-form'));
const ErrorState = lazy(async () => ({ default: (await import('@/components/query-state')).ErrorState }));

function Failed({ error, onRetry }: { error: unknown; onRetry: () => unknown }) {
  return <Suspense fallback={<p role="alert">Không tải được dữ liệu</p>}><ErrorState error={error} onRetry={onRetry} /></Suspense>;
}

/** True once the figures are in and the browser is idle after drawing them (or at once where it cannot say when it
 * is idle): what loads then (the period's picker) does not hold back a figure. */
function useAfterFigures(ready: boolean): boolean {
  const [after, setAfter] = useState(false);
  useEffect(() => (ready && !after ? whenIdle(() => setAfter(true), 1000) : undefined), [ready, after]);
  return after;
}

const FIGURES: CSSProperties = {
  display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(150px, 1fr))', gap: 12, margin: '0 0 12px',
};
const FIGURE: CSSProperties = {
  padding: '12px 16px', background: '#fff', border: '1px solid #f0f0f0', borderRadius: 8,
};

export default function DashboardPage() {
  const { unitId } = useParams() as { unitId: string };
  const [period, setPeriod] = useState<Period>(thisYear);
  const summary = useMemberSummary(unitId);
  const [chosen, setChosen] = useState(false);
  // This year by default, from the figures' first day when they start later; a period the officer chose is the API's
  // to refuse (before the figures start, reversed), on the field.
  const movements = useMovements(unitId, period, !chosen);
  const picker = useAfterFigures(!summary.isPending && !movements.isPending);
  useEffect(() => {
    document.title = 'Báo cáo — Quản lý đoàn viên';
  }, []);
  const figures: [string, number | null | undefined][] = [
    ['Đoàn viên hiện nay', summary.data?.members],
    ['Nữ', summary.data?.female],
    ['Kết nạp trong kỳ', movements.isError ? undefined : movements.data?.admitted],
    ['Thẻ đã đề nghị', summary.data && (summary.data.cards?.requested ?? 0)],
    ['Thẻ đã in', summary.data && (summary.data.cards?.printed ?? 0)],
    ['Thẻ đã phát', summary.data && (summary.data.cards?.delivered ?? 0)],
  ];
  return (
    <>
      <div className="page-header"><h1>Báo cáo thống kê</h1></div>
      <ReportsNav unitId={unitId} />
      {picker ? (
        <Suspense fallback={<PeriodText period={period} />}>
          <PeriodForm period={period} onChange={(p) => { setChosen(true); setPeriod(p); }} error={movements.error} />
        </Suspense>
      ) : <PeriodText period={period} />}
      {summary.isError ? <Failed error={summary.error} onRetry={summary.refetch} /> : (
        <dl style={FIGURES} aria-busy={summary.isPending}>
          {figures.map(([title, value]) => (
            <div key={title} className="figure" style={FIGURE}>
              <dt style={{ color: '#595959' }}>{title}</dt>
              <dd className="figure-value" style={{ margin: '4px 0 0', fontSize: 24, lineHeight: 1.3 }}>{orDash(value)}</dd>
            </div>
          ))}
        </dl>
      )}
      <MembersOverTime unitId={unitId} />
      {summary.data && <ByStatus byStatus={summary.data.by_status} />}
      {movements.data && !movements.isError && <MovementsCard movements={movements.data} />}
      <BySubunit unitId={unitId} />
    </>
  );
}

/** The period as text, where its form will be (on a wide screen its height: nothing below moves when it arrives). */
function PeriodText({ period }: { period: Period }) {
  return (
    <p style={{ margin: '0 0 12px', minHeight: 32, lineHeight: '32px' }}>
      Kỳ báo cáo: {dayjs(period.from).format(DATE_FORMAT)} – {dayjs(period.to).format(DATE_FORMAT)}
    </p>
  );
}

const SECTION: CSSProperties = { marginBottom: 12, background: '#fff', border: '1px solid #f0f0f0', borderRadius: 8 };
// Chart and table side by side where both fit (a desktop), one under the other on a phone.
const SIDE_BY_SIDE: CSSProperties = {
  display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(min(100%, 380px), 1fr))', gap: 16, padding: 16,
};

function ChartWithTable({ title, chart, table }: { title: string; chart: ReactNode; table: ReactNode }) {
  const id = useId();
  return (
    <section className="report-section" style={SECTION} aria-labelledby={id}>
      <h2 id={id} style={{ margin: 0, padding: '12px 16px', fontSize: 16, fontWeight: 600, borderBottom: '1px solid #f0f0f0' }}>
        {title}
      </h2>
      <div style={SIDE_BY_SIDE}>
        <div style={{ minWidth: 0 }}>{chart}</div>
        <div style={{ minWidth: 0 }}>{table}</div>
      </div>
    </section>
  );
}

function MembersOverTime({ unitId }: { unitId: string }) {
  const periods = useMemo(() => lastTwelveMonths(dayjs()), []);
  const months = useMonthlyMovements(unitId, periods);
  // A month before the figures' first day has none (null): its cells stay empty, its points absent.
  const rows = periods.map((p, i) => ({
    month: dayjs(p.from).format('MM/YYYY'), members: months.data?.[i]?.members_at_end,
    admitted: months.data?.[i]?.admitted }));
  const spec: ChartSpec = useMemo(() => ({
    kind: 'line-and-bars',
    labels: rows.map((r) => r.month),
    line: { name: 'Đoàn viên cuối tháng', values: rows.map((r) => r.members ?? null) },
    bars: { name: 'Kết nạp trong tháng', values: rows.map((r) => r.admitted ?? null) },
  }), [JSON.stringify(rows)]);
  if (months.isError) return <Failed error={months.error} onRetry={months.refetch} />;
  return (
    <ChartWithTable title="Đoàn viên 12 tháng qua"
      chart={<Chart spec={spec} label="Biểu đồ số đoàn viên cuối mỗi tháng và số kết nạp trong tháng, 12 tháng qua" />}
      table={(
        <FigureTable caption="Đoàn viên cuối mỗi tháng và kết nạp trong tháng, 12 tháng qua" rows={rows}
                     rowKey={(r) => r.month} busy={months.isPending} maxHeight={320}
                     columns={[
                       { title: 'Tháng', value: (r) => r.month },
                       { title: 'Đoàn viên cuối tháng', value: (r) => orDash(r.members), numeric: true },
                       { title: 'Kết nạp', value: (r) => orDash(r.admitted), numeric: true },
                     ]} />
      )} />
  );
}

function ByStatus({ byStatus }: { byStatus: Record<string, number> }) {
  const rows = Object.entries(byStatus).filter(([, count]) => count > 0)
    .map(([status, count]) => ({ status, name: label(Object.fromEntries(Object.entries(MEMBER_STATUS).map(([k, v]) => [k, v.label])), status), count }));
  const spec: ChartSpec = useMemo(() => ({
    kind: 'doughnut', labels: rows.map((r) => r.name), values: rows.map((r) => r.count),
  }), [JSON.stringify(rows)]);
  return (
    <ChartWithTable title="Đoàn viên theo trạng thái"
      chart={<Chart spec={spec} label="Biểu đồ tròn: đoàn viên theo trạng thái" />}
      table={(
        <FigureTable caption="Đoàn viên theo trạng thái" rows={rows} rowKey={(r) => r.status}
                     columns={[{ title: 'Trạng thái', value: (r) => r.name },
                               { title: 'Số người', value: (r) => formatNumber(r.count), numeric: true }]} />
      )} />
  );
}

function MovementsCard({ movements }: { movements: Movements }) {
  const rows = MOVEMENTS.map(([key, name]) => ({ key, name, count: movements[key] }));
  const spec: ChartSpec = useMemo(() => ({
    kind: 'bars', name: 'Số người', labels: rows.map((r) => r.name), values: rows.map((r) => r.count),
  }), [JSON.stringify(rows)]);
  return (
    <ChartWithTable title={`Biến động từ ${dayjs(movements.from).format(DATE_FORMAT)} đến ${dayjs(movements.to).format(DATE_FORMAT)}`}
      chart={<Chart spec={spec} label="Biểu đồ cột: biến động đoàn viên trong kỳ" />}
      table={(
        <FigureTable caption="Biến động đoàn viên trong kỳ" rowKey={(r) => r.key}
                     rows={[{ key: 'start', name: 'Đầu kỳ', count: movements.members_at_start }, ...rows,
                            { key: 'end', name: 'Cuối kỳ', count: movements.members_at_end }]}
                     columns={[{ title: 'Chỉ tiêu', value: (r) => r.name },
                               { title: 'Số người', value: (r) => formatNumber(r.count), numeric: true }]} />
      )} />
  );
}

function BySubunit({ unitId }: { unitId: string }) {
  const children = useChildCounts(unitId);
  const rows = children.data ?? [];
  const top = [...rows].sort((a, b) => b.members - a.members).slice(0, 15);
  const spec: ChartSpec = useMemo(() => ({
    kind: 'bars', name: 'Đoàn viên', values: top.map((r) => r.members),
    labels: top.map((r) => r.name),
  }), [JSON.stringify(top)]);
  if (children.isError) return <Failed error={children.error} onRetry={children.refetch} />;
  if (children.isSuccess && rows.length === 0) return null;
  return (
    <ChartWithTable title="Đoàn viên theo đơn vị trực thuộc"
      chart={<Chart spec={spec} height={Math.max(200, top.length * 28)} label="Biểu đồ cột: đoàn viên theo đơn vị trực thuộc (15 đơn vị đông nhất)" />}
      table={(
<SubunitTable rows={rows} busy={children.isPending} />
      )} />
  );
}
