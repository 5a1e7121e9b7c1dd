/**
 * Đoàn phí: for a grassroots union, the months of the year with their state (recorded or not, the totals) and the
 * way into a month's grid; for every unit, the subtree's summary per month (units collecting vs reported, what was
 * collected and the upper level's share).
 * A plain screen (app/layout/shell.tsx): its first view (the year, the sections, both tables, their buttons) is plain
 * HTML; Ant Design's tables take over after the rows (components/progressive-table.tsx).
 */

import { DownloadOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { lazy, type ReactNode, useEffect, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { ProgressiveTable, type TableColumn } from '@/components/progressive-table';
import { useUnit, useUnitTypes } from '@/components/units/api';
import { WithAntd } from '@/components/with-antd';
import { PERMISSIONS, useAccess } from '@/lib/access';
import { download } from '@/lib/files';
import { formatDateTime, formatNumber } from '@/lib/format';
import { type Month, type MonthSummary, useRecordedMonths, useYearSummary } from '../api/dues';
import { DuesNav } from '../components/dues-nav';

// The rows come first on a slow phone: plain tables (Ant Design's take over later), the browser's own year list,
// plain buttons, and the error state (on Ant Design) only when a request fails.
const ErrorState = lazy(() => import('@/components/query-state').then((m) => ({ default: m.ErrorState })));
/** The years offered: this one and the ten before it. */
const YEARS = 11;

const monthLabel = (month: string) => `Tháng ${month.slice(5, 7)}/${month.slice(0, 4)}`;

export default function DuesPage() {
  const { unitId } = useParams() as { unitId: string };
  const thisYear = dayjs().year();
  const [year, setYear] = useState(thisYear);
  const unit = useUnit(unitId);
  const types = useUnitTypes();
  const collects = types.data?.find((t) => t.code === unit.data?.type_code)?.can_collect_dues ?? false;
  useEffect(() => {
    document.title = 'Đoàn phí — Quản lý đoàn viên';
  }, []);
  return (
    <>
      <div className="page-header">
        <h1>Đoàn phí năm {year}</h1>
        <select className="plain-select" aria-label="Chọn năm" value={year} onChange={(event) => setYear(Number(event.target.value))}>
          {Array.from({ length: YEARS }, (_, i) => thisYear - i).map((y) => <option key={y} value={y}>Năm {y}</option>)}
        </select>
      </div>
      <DuesNav unitId={unitId} />
      {unit.isPending || types.isPending ? (
        // Whether the unit collects dues (and has months of its own) is not known yet: the page is still loading.
        <div className="plain-card" aria-busy="true"><div className="full-page-spin" style={{ minHeight: 120 }}><div className="css-spinner" /></div></div>
      ) : collects && <YearMonths unitId={unitId} year={year} />}
      <Summaries unitId={unitId} year={year} />
    </>
  );
}

/** A titled box like Ant Design's card, in plain HTML (app.css `.plain-card`). */
function Section({ title, extra, children }: { title: string; extra?: ReactNode; children: ReactNode }) {
  return (
    <section className="plain-card" aria-label={title}>
      <div className="plain-card-head"><h2>{title}</h2>{extra}</div>
      <div className="plain-card-body">{children}</div>
    </section>
  );
}

type MonthRow = { month: string; record?: Month };

function YearMonths({ unitId, year }: { unitId: string; year: number }) {
  const access = useAccess(unitId);
  const navigate = useNavigate();
  const recorded = useRecordedMonths(unitId, year);
  const current = dayjs().format('YYYY-MM');
  const byMonth = new Map((recorded.data ?? []).filter((m) => m.unit_id === unitId).map((m) => [m.month.slice(0, 7), m]));
  const rows = Array.from({ length: 12 }, (_, i) => `${year}-${String(i + 1).padStart(2, '0')}`)
    .map((month) => ({ month, record: byMonth.get(month) }));
  const canWrite = access.can(PERMISSIONS.duesWrite);
  const columns: TableColumn<MonthRow>[] = [
    { key: 'month', title: 'Tháng', width: 130, render: (row) => monthLabel(row.month) },
    { key: 'state', title: 'Trạng thái', width: 150,
      render: (row) => row.record ? <span className="status-tag green">Đã ghi nhận</span>
        : row.month > current ? <span className="status-tag">Chưa đến kỳ</span>
          : <span className="status-tag gold">Chưa ghi nhận</span> },
    { key: 'members', title: 'Đóng / miễn', width: 120,
      render: (row) => row.record && `${formatNumber(row.record.members_paid)} / ${formatNumber(row.record.members_exempt)}` },
    { key: 'collected', title: 'Đã thu (đồng)', width: 150, align: 'right', render: (row) => formatNumber(row.record?.collected_vnd) },
    { key: 'upper', title: 'Nộp cấp trên (đồng)', width: 160, align: 'right', render: (row) => formatNumber(row.record?.upper_share_vnd) },
    { key: 'by', title: 'Ghi nhận', width: 200,
      render: (row) => row.record && `${row.record.recorded_by} · ${formatDateTime(row.record.recorded_at)}` },
    { key: 'open', title: <span className="visually-hidden">Mở tháng</span>, width: 120,
      render: (row) => row.month <= current && (row.record || canWrite) && (
        <button type="button" className={`plain-button small${row.record ? ' secondary' : ''}`}
                aria-label={`${row.record ? 'Xem, sửa' : 'Ghi nhận'} ${monthLabel(row.month).toLowerCase()}`}
                onClick={() => navigate(`/don-vi/${unitId}/doan-phi/${row.month}`)}>
          {row.record ? 'Xem, sửa' : 'Ghi nhận'}
        </button>
      ) },
  ];
  return (
    <Section title="Các tháng của công đoàn cơ sở">
      {recorded.isError ? <WithAntd><ErrorState error={recorded.error} onRetry={recorded.refetch} /></WithAntd> : (
        <ProgressiveTable<MonthRow> caption={`Các tháng năm ${year} của công đoàn cơ sở`} columns={columns} rows={rows}
                                    rowKey={(row) => row.month} busy={recorded.isFetching} emptyText="" minWidth={900} />
      )}
    </Section>
  );
}

type SummaryRow = { month: string; summary?: MonthSummary };

const SUMMARY_COLUMNS: TableColumn<SummaryRow>[] = [
  { key: 'month', title: 'Tháng', width: 130, render: (r) => monthLabel(r.month) },
  { key: 'units', title: 'CĐCS đã ghi nhận / phải thu', width: 190,
    render: (r) => r.summary && `${formatNumber(r.summary.units_reported)} / ${formatNumber(r.summary.units_collecting)}` },
  { key: 'paid', title: 'Đoàn viên đóng', width: 130, align: 'right', render: (r) => formatNumber(r.summary?.members_paid) },
  { key: 'exempt', title: 'Miễn', width: 90, align: 'right', render: (r) => formatNumber(r.summary?.members_exempt) },
  { key: 'norm', title: 'Theo mức quy định (đồng)', width: 190, align: 'right', render: (r) => formatNumber(r.summary?.norm_vnd) },
  { key: 'collected', title: 'Đã thu (đồng)', width: 150, align: 'right', render: (r) => formatNumber(r.summary?.collected_vnd) },
  { key: 'upper', title: 'Nộp cấp trên (đồng)', width: 160, align: 'right', render: (r) => formatNumber(r.summary?.upper_share_vnd) },
  { key: 'kept', title: 'Để lại cơ sở (đồng)', width: 160, align: 'right', render: (r) => formatNumber(r.summary?.grassroots_share_vnd) },
];

function Summaries({ unitId, year }: { unitId: string; year: number }) {
  const summaries = useYearSummary(unitId, year);
  // A failed download said in the page (as the members list's export does), not in Ant Design's message.
  const [failed, setFailed] = useState<string>();
  // The newest month first.
  const rows = summaries.data?.map((summary) => ({ month: summary.month.slice(0, 7), summary })).reverse();
  const downloadYear = async () => {
    setFailed(undefined);
    try {
      await download('/api/v1/dues/summary.xlsx', { unit_id: unitId, year }, `tong-hop-doan-phi-${year}.xlsx`);
    } catch (error) {
      setFailed((await import('@/components/query-state')).problemMessage(error));
    }
  };
  return (
    <Section title="Tổng hợp đơn vị và các đơn vị trực thuộc" extra={(
      <button type="button" className="plain-button secondary middle" onClick={() => void downloadYear()}>
        <DownloadOutlined aria-hidden /> Tải Excel
      </button>
    )}>
      {failed && <p className="plain-alert" role="alert">{failed}</p>}
      {summaries.isError ? <WithAntd><ErrorState error={summaries.error} onRetry={summaries.refetch} /></WithAntd> : (
        <ProgressiveTable<SummaryRow> caption={`Tổng hợp đoàn phí năm ${year} theo tháng`} columns={SUMMARY_COLUMNS}
                                      rows={rows} rowKey={(row) => row.month} busy={summaries.isFetching}
                                      emptyText="Năm này chưa đến kỳ thu đoàn phí." minWidth={960} />
      )}
    </Section>
  );
}
