/**
 * Đoàn phí: for a grassroots union, the months of the year with their state (recorded or not, the totals) and the
 * way into a month's grid; for every unit, the subtree's summary per month (units collecting vs reported, what was
 * collected and the upper level's share).
 */

import { DownloadOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, DatePicker, Table, Tag } from 'antd';
import dayjs from 'dayjs';
import { useEffect, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { ErrorState, problemMessage } from '@/components/query-state';
import { useUnit, useUnitTypes } from '@/components/units/api';
import { PERMISSIONS, useAccess } from '@/lib/access';
import { download } from '@/lib/files';
import { formatDateTime, formatNumber } from '@/lib/format';
import { type Month, type MonthSummary, useRecordedMonths, useYearSummaries } from '../api/dues';
import { DuesNav } from '../components/dues-nav';
import { monthsOf } from '../components/norm';

const monthLabel = (month: string) => `Tháng ${month.slice(5, 7)}/${month.slice(0, 4)}`;

export default function DuesPage() {
  const { unitId } = useParams() as { unitId: string };
  const [year, setYear] = useState(dayjs().year());
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
        <DatePicker picker="year" aria-label="Chọn năm" allowClear={false} value={dayjs(`${year}-01-01`)}
                    onChange={(value) => value && setYear(value.year())} disabledDate={(d) => d.year() > dayjs().year()} />
      </div>
      <DuesNav unitId={unitId} />
      {collects && <YearMonths unitId={unitId} year={year} />}
      <Summaries unitId={unitId} year={year} />
    </>
  );
}

function YearMonths({ unitId, year }: { unitId: string; year: number }) {
  const access = useAccess(unitId);
  const navigate = useNavigate();
  const recorded = useRecordedMonths(unitId, year);
  const current = dayjs().format('YYYY-MM');
  const byMonth = new Map((recorded.data ?? []).filter((m) => m.unit_id === unitId).map((m) => [m.month.slice(0, 7), m]));
  const rows = Array.from({ length: 12 }, (_, i) => `${year}-${String(i + 1).padStart(2, '0')}`)
    .map((month) => ({ month, record: byMonth.get(month) }));
  const canWrite = access.can(PERMISSIONS.duesWrite);
  return (
    <Card title="Các tháng của công đoàn cơ sở" style={{ marginBottom: 16 }}>
      {recorded.isError ? <ErrorState error={recorded.error} onRetry={recorded.refetch} /> : (
        <Table<{ month: string; record?: Month }>
          rowKey="month" size="small" pagination={false} loading={recorded.isFetching} dataSource={rows}
          scroll={{ x: 900 }}
          columns={[
            { title: 'Tháng', dataIndex: 'month', width: 130, render: monthLabel },
            { title: 'Trạng thái', key: 'state', width: 150,
              render: (_, row) => row.record ? <Tag color="green">Đã ghi nhận</Tag>
                : row.month > current ? <Tag>Chưa đến kỳ</Tag> : <Tag color="gold">Chưa ghi nhận</Tag> },
            { title: 'Đóng / miễn', key: 'members', width: 120,
              render: (_, row) => row.record && `${formatNumber(row.record.members_paid)} / ${formatNumber(row.record.members_exempt)}` },
            { title: 'Đã thu (đồng)', key: 'collected', width: 150, align: 'right',
              render: (_, row) => formatNumber(row.record?.collected_vnd) },
            { title: 'Nộp cấp trên (đồng)', key: 'upper', width: 160, align: 'right',
              render: (_, row) => formatNumber(row.record?.upper_share_vnd) },
            { title: 'Ghi nhận', key: 'by', width: 200,
              render: (_, row) => row.record && `${row.record.recorded_by} · ${formatDateTime(row.record.recorded_at)}` },
            { title: '', key: 'open', width: 120,
              render: (_, row) => row.month <= current && (row.record || canWrite) && (
                <Button size="small" type={row.record ? 'default' : 'primary'}
                        aria-label={`${row.record ? 'Xem, sửa' : 'Ghi nhận'} ${monthLabel(row.month).toLowerCase()}`}
                        onClick={() => navigate(`/don-vi/${unitId}/doan-phi/${row.month}`)}>
                  {row.record ? 'Xem, sửa' : 'Ghi nhận'}
                </Button>
              ) },
          ]}
        />
      )}
    </Card>
  );
}

function Summaries({ unitId, year }: { unitId: string; year: number }) {
  const months = monthsOf(year, dayjs().format('YYYY-MM')).reverse();
  const summaries = useYearSummaries(unitId, months);
  const { message } = App.useApp();
  const failed = summaries.find((s) => s.isError);
  const rows = summaries.map((s, i) => ({ month: months[i], summary: s.data }));
  return (
    <Card title="Tổng hợp đơn vị và các đơn vị trực thuộc" extra={(
      <Button icon={<DownloadOutlined aria-hidden />}
              onClick={() => void download('/api/v1/dues/summary.xlsx', { unit_id: unitId, year }, `tong-hop-doan-phi-${year}.xlsx`)
                .catch((e) => message.error(problemMessage(e)))}>
        Tải Excel
      </Button>
    )}>
      {failed ? <ErrorState error={failed.error} onRetry={failed.refetch} /> : (
        <>
          {rows.length === 0 && <Alert type="info" showIcon title="Năm này chưa đến kỳ thu đoàn phí." />}
          <Table<{ month: string; summary?: MonthSummary }>
            rowKey="month" size="small" pagination={false} dataSource={rows} scroll={{ x: 960 }}
            loading={summaries.some((s) => s.isPending)}
            columns={[
              { title: 'Tháng', dataIndex: 'month', width: 130, render: monthLabel },
              { title: 'CĐCS đã ghi nhận / phải thu', key: 'units', width: 190,
                render: (_, r) => r.summary && `${formatNumber(r.summary.units_reported)} / ${formatNumber(r.summary.units_collecting)}` },
              { title: 'Đoàn viên đóng', key: 'paid', width: 130, align: 'right', render: (_, r) => formatNumber(r.summary?.members_paid) },
              { title: 'Miễn', key: 'exempt', width: 90, align: 'right', render: (_, r) => formatNumber(r.summary?.members_exempt) },
              { title: 'Theo mức quy định (đồng)', key: 'norm', width: 190, align: 'right', render: (_, r) => formatNumber(r.summary?.norm_vnd) },
              { title: 'Đã thu (đồng)', key: 'collected', width: 150, align: 'right', render: (_, r) => formatNumber(r.summary?.collected_vnd) },
              { title: 'Nộp cấp trên (đồng)', key: 'upper', width: 160, align: 'right', render: (_, r) => formatNumber(r.summary?.upper_share_vnd) },
              { title: 'Để lại cơ sở (đồng)', key: 'kept', width: 160, align: 'right', render: (_, r) => formatNumber(r.summary?.grassroots_share_vnd) },
            ]}
          />
        </>
      )}
    </Card>
  );
}
