/**
 * Số liệu tổ chức công đoàn: the units of the unit's subtree for a period, in the tree of the period's days: active
 * units by type and grassroots unions by enterprise type at the start and the end, units established and closed,
 * grassroots unions by their members at the period's end; downloadable as .xlsx.
 */

import { DownloadOutlined, FilePdfOutlined } from '@ant-design/icons';
import { App, Button, Card, Col, DatePicker, Form, Row, Space, Table } from 'antd';
import dayjs from 'dayjs';
import { useEffect, useState } from 'react';
import { useParams } from 'react-router';
import { FormProblem } from '@/components/form-problem';
import { ErrorState, problemMessage } from '@/components/query-state';
import { useUnitTypes } from '@/components/units/api';
import { UnitName } from '@/components/units/unit-name';
import { download } from '@/lib/files';
import { showOnForm } from '@/lib/forms';
import { API_DATE, DATE_FORMAT, formatDate, formatNumber } from '@/lib/format';
import { ENTERPRISE_TYPE } from '@/lib/labels';
import { ApiProblem, withFieldNames } from '@/lib/problem';
import { useUnitFigures } from '../api/standard';
import { ReportsNav } from '../components/reports-nav';

type StockRow = { key: string; name: string; at_start: number; at_end: number };

function stockRows(start: Record<string, number>, end: Record<string, number>, names: (key: string) => string): StockRow[] {
  return [...new Set([...Object.keys(start), ...Object.keys(end)])]
    .sort((a, b) => (a === '' ? 1 : b === '' ? -1 : a.localeCompare(b)))
    .map((key) => ({ key, name: names(key), at_start: start[key] ?? 0, at_end: end[key] ?? 0 }));
}

function StockTable({ title, label, rows }: { title: string; label: string; rows: StockRow[] }) {
  return (
    <Card size="small" title={title}>
      <Table<StockRow> size="small" rowKey="key" pagination={false} dataSource={rows}
        locale={{ emptyText: 'Không có đơn vị nào' }}
        columns={[
          { title: label, dataIndex: 'name' },
          { title: 'Đầu kỳ', dataIndex: 'at_start', align: 'right', render: formatNumber },
          { title: 'Cuối kỳ', dataIndex: 'at_end', align: 'right', render: formatNumber },
        ]}
        summary={() => rows.length > 0 && (
          <Table.Summary.Row>
            <Table.Summary.Cell index={0}><strong>Tổng cộng</strong></Table.Summary.Cell>
            <Table.Summary.Cell index={1} align="right">
              <strong>{formatNumber(rows.reduce((sum, r) => sum + r.at_start, 0))}</strong>
            </Table.Summary.Cell>
            <Table.Summary.Cell index={2} align="right">
              <strong>{formatNumber(rows.reduce((sum, r) => sum + r.at_end, 0))}</strong>
            </Table.Summary.Cell>
          </Table.Summary.Row>
        )} />
    </Card>
  );
}

export default function UnitsReportPage() {
  const { unitId } = useParams() as { unitId: string };
  const [period, setPeriod] = useState({ from: dayjs().startOf('year').format(API_DATE), to: dayjs().format(API_DATE) });
  const query = { unit_id: unitId, ...period };
  const report = useUnitFigures(query);
  const types = useUnitTypes();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ period: [dayjs.Dayjs, dayjs.Dayjs] }>();
  const [problem, setProblem] = useState<string[]>([]);
  const [chosen, setChosen] = useState(false);
  const refused = report.error instanceof ApiProblem && !report.error.retryable;
  useEffect(() => {
    document.title = 'Số liệu tổ chức công đoàn — Quản lý đoàn viên';
  }, []);
  // As on the development report: the default period (this year) starts on the figures' first day when it is later.
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
  const typeNames = new Map((types.data ?? []).map((t) => [t.code, t.name_vi]));
  return (
    <>
      <div className="page-header"><h1>Số liệu tổ chức công đoàn</h1></div>
      <ReportsNav unitId={unitId} />
      <p style={{ marginTop: 0 }}><UnitName unitId={unitId} /> và các đơn vị cấp dưới, theo cây tổ chức của từng ngày.</p>
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
        <Space wrap style={{ marginBottom: 12 }}>
          <Button type="primary" htmlType="submit">Xem</Button>
          <Button icon={<DownloadOutlined aria-hidden />} disabled={!data}
                  onClick={() => void download('/api/v1/reporting/unit-figures.xlsx', query, 'so-lieu-to-chuc-cong-doan.xlsx')
                    .catch((e) => message.error(problemMessage(e)))}>
            Tải Excel (.xlsx)
          </Button>
          <Button icon={<FilePdfOutlined aria-hidden />} disabled={!data}
                  onClick={() => void download('/api/v1/reporting/unit-figures.pdf', query, 'so-lieu-to-chuc-cong-doan.pdf')
                    .catch((e) => message.error(problemMessage(e)))}>
            Tải PDF
          </Button>
        </Space>
      </Form>
      {report.isError && !refused ? <ErrorState error={report.error} onRetry={report.refetch} /> : (
        <Card loading={report.isPending} title={data && `Từ ${formatDate(data.from)} đến ${formatDate(data.to)}`}>
          {data && (
            <Row gutter={[16, 16]}>
              <Col xs={24} lg={12}>
                <StockTable title="Đơn vị đang hoạt động theo loại" label="Loại đơn vị"
                            rows={stockRows(data.at_start.by_type, data.at_end.by_type, (k) => typeNames.get(k) ?? k)} />
              </Col>
              <Col xs={24} lg={12}>
                <StockTable title="Công đoàn cơ sở theo loại hình doanh nghiệp" label="Loại hình doanh nghiệp"
                            rows={stockRows(data.at_start.grassroots_by_enterprise_type, data.at_end.grassroots_by_enterprise_type,
                                            (k) => (k ? ENTERPRISE_TYPE[k] ?? k : 'Chưa rõ'))} />
              </Col>
              <Col xs={24} lg={12}>
                <Card size="small" title="Biến động trong kỳ">
                  <Table size="small" rowKey="key" pagination={false}
                    dataSource={[{ key: 'established', name: 'Đơn vị thành lập mới', units: data.established },
                                 { key: 'closed', name: 'Đơn vị giải thể, sáp nhập', units: data.closed }]}
                    columns={[{ title: 'Chỉ tiêu', dataIndex: 'name' },
                              { title: 'Số đơn vị', dataIndex: 'units', align: 'right', render: formatNumber }]} />
                </Card>
              </Col>
              <Col xs={24} lg={12}>
                <Card size="small" title={`Công đoàn cơ sở theo số đoàn viên, cuối ngày ${formatDate(data.to)}`}>
                  <Table size="small" rowKey="lower" pagination={false} dataSource={data.grassroots_by_members}
                    columns={[{ title: 'Số đoàn viên', dataIndex: 'label' },
                              { title: 'Công đoàn cơ sở', dataIndex: 'units', align: 'right', render: formatNumber }]}
                    summary={() => (
                      <Table.Summary.Row>
                        <Table.Summary.Cell index={0}><strong>Tổng cộng</strong></Table.Summary.Cell>
                        <Table.Summary.Cell index={1} align="right">
                          <strong>{formatNumber(data.grassroots_by_members.reduce((sum, b) => sum + b.units, 0))}</strong>
                        </Table.Summary.Cell>
                      </Table.Summary.Row>
                    )} />
                </Card>
              </Col>
            </Row>
          )}
        </Card>
      )}
    </>
  );
}
