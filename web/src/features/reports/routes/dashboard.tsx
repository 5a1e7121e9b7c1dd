/**
 * Báo cáo: the current unit's dashboard (its whole subtree): members now, women, admissions of the period, card
 * progress; members at each month's end over the last year, members by status, the period's movements, members
 * per direct subunit. Every chart has its table beside it, the same figures in text.
 */

import { Button, Card, Col, DatePicker, Form, Grid, Row, Statistic, Table } from 'antd';
import dayjs from 'dayjs';
import { useEffect, useMemo, useState } from 'react';
import { useParams } from 'react-router';
import { FormProblem } from '@/components/form-problem';
import { ErrorState } from '@/components/query-state';
import { showOnForm } from '@/lib/forms';
import { API_DATE, DATE_FORMAT, formatNumber } from '@/lib/format';
import { label, MEMBER_STATUS } from '@/lib/labels';
import { ApiProblem, withFieldNames } from '@/lib/problem';
import { type Movements, type Period, thisYear, useChildCounts, useMemberSummary, useMonthlyMovements, useMovements } from '../api/reports';
import { Chart, type ChartSpec } from '../components/chart';
import { MOVEMENTS, lastTwelveMonths } from '../components/periods';
import { ReportsNav } from '../components/reports-nav';

const orDash = (value: number | undefined) => (value === undefined ? '—' : formatNumber(value));

export default function DashboardPage() {
  const { unitId } = useParams() as { unitId: string };
  const [period, setPeriod] = useState<Period>(thisYear);
  const summary = useMemberSummary(unitId);
  const [chosen, setChosen] = useState(false);
  // This year by default, from the figures' first day when they start later; a period the officer chose is the API's
  // to refuse (before the figures start, reversed), on the field.
  const movements = useMovements(unitId, period, !chosen);
  useEffect(() => {
    document.title = 'Báo cáo — Quản lý đoàn viên';
  }, []);
  return (
    <>
      <div className="page-header"><h1>Báo cáo thống kê</h1></div>
      <ReportsNav unitId={unitId} />
      <PeriodForm period={period} onChange={(p) => { setChosen(true); setPeriod(p); }} error={movements.error} />
      {summary.isError ? <ErrorState error={summary.error} onRetry={summary.refetch} /> : (
        <Row gutter={[12, 12]} style={{ marginBottom: 12 }}>
          {[
            ['Đoàn viên hiện nay', summary.data?.members],
            ['Nữ', summary.data?.female],
            ['Kết nạp trong kỳ', movements.isError ? undefined : movements.data?.admitted ?? undefined],
            ['Thẻ đã đề nghị', summary.data?.cards?.requested ?? 0],
            ['Thẻ đã in', summary.data?.cards?.printed ?? 0],
            ['Thẻ đã phát', summary.data?.cards?.delivered ?? 0],
          ].map(([title, value]) => (
            <Col xs={12} md={8} xl={4} key={title as string}>
              <Card size="small" loading={summary.isPending}>
                <Statistic title={title as string} value={value === undefined ? '—' : formatNumber(value as number)} />
              </Card>
            </Col>
          ))}
        </Row>
      )}
      <MembersOverTime unitId={unitId} />
      {summary.data && <ByStatus byStatus={summary.data.by_status} />}
      {movements.data && !movements.isError && <MovementsCard movements={movements.data} />}
      <BySubunit unitId={unitId} />
    </>
  );
}

function PeriodForm({ period, onChange, error }: { period: Period; onChange: (p: Period) => void; error: unknown }) {
  const [form] = Form.useForm<{ period: [dayjs.Dayjs, dayjs.Dayjs] }>();
  const [problem, setProblem] = useState<string[]>([]);
  const wide = Grid.useBreakpoint().sm !== false; // on a phone the period takes the whole width, above the button
  // A refused period (reversed, before the data starts) shows the API's message on the field.
  useEffect(() => {
    if (error instanceof ApiProblem && !error.retryable) {
      setProblem(showOnForm(form, withFieldNames(error, (field) => (['from', 'to'].includes(field) ? 'period' : field))));
    } else {
      form.setFields([{ name: 'period', errors: [] }]);
      setProblem([]);
    }
  }, [error, form]);
  return (
    <Form form={form} layout={wide ? 'inline' : 'vertical'} style={{ marginBottom: 12, rowGap: 8 }}
          initialValues={{ period: [dayjs(period.from), dayjs(period.to)] }}
          onFinish={(values) => onChange({ from: values.period[0].format(API_DATE), to: values.period[1].format(API_DATE) })}>
      <FormProblem messages={problem} />
      <Form.Item name="period" label="Kỳ báo cáo">
        <DatePicker.RangePicker format={DATE_FORMAT} allowClear={false} order={false} placeholder={['Từ ngày', 'Đến ngày']}
                               style={wide ? undefined : { width: '100%' }} />
      </Form.Item>
      <Button type="primary" htmlType="submit">Xem</Button>
    </Form>
  );
}

function ChartWithTable({ title, chart, table }: { title: string; chart: React.ReactNode; table: React.ReactNode }) {
  return (
    <Card title={title} style={{ marginBottom: 12 }}>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={14}>{chart}</Col>
        <Col xs={24} lg={10}>{table}</Col>
      </Row>
    </Card>
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
  if (months.isError) return <ErrorState error={months.error} onRetry={months.refetch} />;
  return (
    <ChartWithTable title="Đoàn viên 12 tháng qua"
      chart={<Chart spec={spec} label="Biểu đồ số đoàn viên cuối mỗi tháng và số kết nạp trong tháng, 12 tháng qua" />}
      table={(
        <Table size="small" rowKey="month" pagination={false} dataSource={rows} loading={months.isPending}
               scroll={{ y: 280 }}
               columns={[
                 { title: 'Tháng', dataIndex: 'month' },
                 { title: 'Đoàn viên cuối tháng', dataIndex: 'members', align: 'right', render: orDash },
                 { title: 'Kết nạp', dataIndex: 'admitted', align: 'right', render: orDash },
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
        <Table size="small" rowKey="status" pagination={false} dataSource={rows}
               columns={[{ title: 'Trạng thái', dataIndex: 'name' },
                         { title: 'Số người', dataIndex: 'count', align: 'right', render: formatNumber }]} />
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
        <Table size="small" rowKey="key" pagination={false}
               dataSource={[{ key: 'start', name: 'Đầu kỳ', count: movements.members_at_start }, ...rows,
                            { key: 'end', name: 'Cuối kỳ', count: movements.members_at_end }]}
               columns={[{ title: 'Chỉ tiêu', dataIndex: 'name' },
                         { title: 'Số người', dataIndex: 'count', align: 'right', render: formatNumber }]} />
      )} />
  );
}

function BySubunit({ unitId }: { unitId: string }) {
  const children = useChildCounts(unitId);
  const rows = children.data ?? [];
  const top = [...rows].sort((a, b) => b.members - a.members).slice(0, 15);
  const spec: ChartSpec = useMemo(() => ({
    kind: 'bars', name: 'Đoàn viên', values: top.map((r) => r.members),
    labels: top.map((r) => (r.name.length > 28 ? `${r.name.slice(0, 27)}…` : r.name)),
  }), [JSON.stringify(top)]);
  if (children.isError) return <ErrorState error={children.error} onRetry={children.refetch} />;
  if (children.isSuccess && rows.length === 0) return null;
  return (
    <ChartWithTable title="Đoàn viên theo đơn vị trực thuộc"
      chart={<Chart spec={spec} height={Math.max(200, top.length * 28)} label="Biểu đồ cột: đoàn viên theo đơn vị trực thuộc (15 đơn vị đông nhất)" />}
      table={(
        <Table size="small" rowKey="unit_id" pagination={rows.length > 10 ? { pageSize: 10 } : false}
               dataSource={rows} loading={children.isPending}
               columns={[{ title: 'Đơn vị', dataIndex: 'name' },
                         { title: 'Đoàn viên', dataIndex: 'members', align: 'right', render: formatNumber,
                           sorter: (a, b) => a.members - b.members, defaultSortOrder: 'descend' },
                         { title: 'Chờ duyệt', dataIndex: 'pending', align: 'right', render: formatNumber }]} />
      )} />
  );
}
