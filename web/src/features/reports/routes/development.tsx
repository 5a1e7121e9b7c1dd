/**
 * Báo cáo tình hình phát triển đoàn viên: for a period, a row per unit directly below (in the tree of the period's
 * days) with members at start, each movement ("of which women" beside it), members at end and by enterprise type,
 * and the whole unit's total; downloadable as .xlsx and PDF, the forms a level sends upward.
 */

import { DownloadOutlined, FilePdfOutlined } from '@ant-design/icons';
import { Alert, App, Button, DatePicker, Form, Space, Table } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import dayjs from 'dayjs';
import { useEffect, useState } from 'react';
import { useParams } from 'react-router';
import { FormProblem } from '@/components/form-problem';
import { ErrorState, problemMessage } from '@/components/query-state';
import { UnitName } from '@/components/units/unit-name';
import { download } from '@/lib/files';
import { showOnForm } from '@/lib/forms';
import { API_DATE, DATE_FORMAT, formatDate, formatNumber } from '@/lib/format';
import { ENTERPRISE_TYPE } from '@/lib/labels';
import { ApiProblem, withFieldNames } from '@/lib/problem';
import { type PeriodRow, useDevelopmentReport } from '../api/standard';
import { ReportsNav } from '../components/reports-nav';

type Movement = 'admitted' | 'transferred_in' | 'transferred_out' | 'suspended' | 'resumed' | 'retired' | 'removed'
  | 'left' | 'restructured';
const MOVEMENTS: [Movement, string][] = [
  ['admitted', 'Kết nạp'], ['transferred_in', 'Chuyển đến'], ['transferred_out', 'Chuyển đi'],
  ['suspended', 'Tạm dừng'], ['resumed', 'Sinh hoạt lại'], ['retired', 'Nghỉ hưu'], ['removed', 'Xóa tên'],
  ['left', 'Lý do khác'], ['restructured', 'Sắp xếp tổ chức'],
];

export default function DevelopmentReportPage() {
  const { unitId } = useParams() as { unitId: string };
  const [period, setPeriod] = useState({ from: dayjs().startOf('year').format(API_DATE), to: dayjs().format(API_DATE) });
  const query = { unit_id: unitId, ...period };
  const report = useDevelopmentReport(query);
  const { message } = App.useApp();
  const [form] = Form.useForm<{ period: [dayjs.Dayjs, dayjs.Dayjs] }>();
  const [problem, setProblem] = useState<string[]>([]);
  const refused = report.error instanceof ApiProblem && !report.error.retryable;
  useEffect(() => {
    document.title = 'Báo cáo phát triển đoàn viên — Quản lý đoàn viên';
  }, []);
  const [chosen, setChosen] = useState(false);
  // A refused period (reversed, before the ledger starts) shows the API's message on the field; the default period
  // (this year) starts instead on the first day the figures know, when they start later.
  useEffect(() => {
    const earliest = report.error instanceof ApiProblem && report.error.code === 'before-ledger-start'
      ? report.error.body.earliest : undefined;
    if (!chosen && typeof earliest === 'string') {
      setPeriod((p) => ({ ...p, from: earliest }));
      form.setFieldValue('period', [dayjs(earliest), dayjs(period.to)]);
    } else if (refused) {
      setProblem(showOnForm(form, withFieldNames(report.error, (f) => (['from', 'to'].includes(f) ? 'period' : f))));
    } else {
      form.setFields([{ name: 'period', errors: [] }]);
      setProblem([]);
    }
  }, [report.error, refused, form, chosen, period.to]);
  const data = refused ? undefined : report.data;
  const types = Object.keys(Object.assign({}, ...(data?.rows ?? []).map((r) => r.by_enterprise_type), data?.total.by_enterprise_type))
    .sort((a, b) => (a === '' ? 1 : b === '' ? -1 : a.localeCompare(b)));
  const save = (path: string, name: string) => void download(path, query, name).catch((e) => message.error(problemMessage(e)));
  const columns: ColumnsType<PeriodRow> = [
    { title: 'Đơn vị', dataIndex: 'name', width: 240, fixed: 'left' },
    { title: 'Đầu kỳ', key: 'start', width: 100, align: 'right',
      render: (_, r) => <Counted total={r.members_at_start} women={r.women_at_start} /> },
    ...MOVEMENTS.map(([key, title]) => ({
      title, key, width: 110, align: 'right' as const,
      render: (_: unknown, r: PeriodRow) => <Counted total={r[key]} women={r.women[key] ?? 0} />,
    })),
    { title: 'Cuối kỳ', key: 'end', width: 100, align: 'right',
      render: (_, r) => <Counted total={r.members_at_end} women={r.women_at_end} /> },
    ...(types.length ? [{
      title: 'Cuối kỳ theo loại hình doanh nghiệp',
      children: types.map((type) => ({
        title: type ? ENTERPRISE_TYPE[type] ?? type : 'Chưa rõ', key: `type-${type}`, width: 130, align: 'right' as const,
        render: (_: unknown, r: PeriodRow) => formatNumber(r.by_enterprise_type[type] ?? 0),
      })),
    }] : []),
    {
      title: 'Tổ chức',
      children: ([
        ['grassroots_at_start', 'CĐCS đầu kỳ'], ['units_established', 'Thành lập mới'],
        ['units_closed', 'Giải thể, sáp nhập'], ['grassroots_at_end', 'CĐCS cuối kỳ'],
      ] as const).map(([key, title]) => ({
        title, key, width: 110, align: 'right' as const,
        render: (_: unknown, r: PeriodRow) => formatNumber(r[key]),
      })),
    },
  ];
  return (
    <>
      <div className="page-header"><h1>Báo cáo tình hình phát triển đoàn viên</h1></div>
      <ReportsNav unitId={unitId} />
      <p style={{ marginTop: 0 }}><UnitName unitId={unitId} />: các đơn vị trực thuộc, số trong ngoặc là nữ.</p>
      <Form form={form} layout="vertical" initialValues={{ period: [dayjs(period.from), dayjs(period.to)] }}
            onFinish={(v) => {
              setChosen(true);
              setPeriod({ from: v.period[0].format(API_DATE), to: v.period[1].format(API_DATE) });
            }}>
        <FormProblem messages={problem} />
        <div className="filter-grid">
          <Form.Item name="period" label="Kỳ báo cáo">
            <DatePicker.RangePicker format={DATE_FORMAT} allowClear={false} order={false} style={{ width: '100%' }}
                                    placeholder={['Từ ngày', 'Đến ngày']} />
          </Form.Item>
        </div>
        <Button type="primary" htmlType="submit" style={{ marginBottom: 12 }}>Xem</Button>
      </Form>
      <Space wrap style={{ marginBottom: 12 }}>
        <Button icon={<DownloadOutlined aria-hidden />} disabled={!data}
                onClick={() => save('/api/v1/reporting/members/development.xlsx', 'bao-cao-phat-trien-doan-vien.xlsx')}>
          Tải Excel (.xlsx)
        </Button>
        <Button icon={<FilePdfOutlined aria-hidden />} disabled={!data}
                onClick={() => save('/api/v1/reporting/members/development.pdf', 'bao-cao-phat-trien-doan-vien.pdf')}>
          Tải PDF
        </Button>
      </Space>
      {data?.restructured && (
        <Alert type="info" showIcon style={{ marginBottom: 12 }}
               title="Trong kỳ có sắp xếp tổ chức: biến động được tính cho đơn vị của ngày xảy ra." />
      )}
      {report.isError && !refused ? <ErrorState error={report.error} onRetry={report.refetch} /> : (
        <Table<PeriodRow>
          rowKey="unit_id" size="small" bordered pagination={false} loading={report.isFetching} columns={columns}
          dataSource={data?.rows ?? []} scroll={{ x: 1950 }}
          title={() => data && `Từ ${formatDate(data.from)} đến ${formatDate(data.to)}`}
          locale={{ emptyText: 'Đơn vị không có đơn vị trực thuộc nào trong kỳ' }}
          summary={() => data && (
            <Table.Summary>
              <Table.Summary.Row>
                {columns.flatMap((c) => ('children' in c && c.children ? c.children : [c])).map((column, index) => (
                  <Table.Summary.Cell key={index} index={index} align={index ? 'right' : undefined}>
                    <strong>{index === 0 ? 'Toàn đơn vị'
                      : (column as { render: (v: unknown, r: PeriodRow, i: number) => React.ReactNode }).render(undefined, data.total, 0)}</strong>
                  </Table.Summary.Cell>
                ))}
              </Table.Summary.Row>
            </Table.Summary>
          )}
        />
      )}
    </>
  );
}

function Counted({ total, women }: { total: number; women: number }) {
  return <>{formatNumber(total)} <span style={{ color: '#8c8c8c' }}>({formatNumber(women)})</span></>;
}
