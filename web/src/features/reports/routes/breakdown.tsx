/**
 * Số liệu đoàn viên theo tiêu chí: the members of the unit's subtree by one dimension (status, gender, age band,
 * enterprise type…) as of a chosen day, in the tree as it was that day; a chart with the same figures as a table
 * beside it, downloadable as .xlsx. Ethnicity and religion are aggregates only.
 */

import { DownloadOutlined } from '@ant-design/icons';
import { App, Button, Card, Col, DatePicker, Form, Row, Select, Space, Table } from 'antd';
import dayjs from 'dayjs';
import { useEffect, useMemo, useState } from 'react';
import { useParams } from 'react-router';
import { FormProblem } from '@/components/form-problem';
import { ErrorState, problemMessage } from '@/components/query-state';
import { download } from '@/lib/files';
import { showOnForm } from '@/lib/forms';
import { API_DATE, DATE_FORMAT, formatDate, formatNumber } from '@/lib/format';
import { ApiProblem } from '@/lib/problem';
import { type BreakdownRow, type Dimension, useBreakdown } from '../api/standard';
import { Chart, type ChartSpec } from '../components/chart';
import { ReportsNav } from '../components/reports-nav';

const DIMENSIONS: { value: Dimension; label: string }[] = [
  { value: 'status', label: 'Trạng thái' },
  { value: 'gender', label: 'Giới tính' },
  { value: 'age_band', label: 'Nhóm tuổi' },
  { value: 'enterprise_type', label: 'Loại hình doanh nghiệp' },
  { value: 'sector', label: 'Ngành nghề' },
  { value: 'employer_size', label: 'Quy mô đơn vị sử dụng lao động' },
  { value: 'education', label: 'Trình độ học vấn' },
  { value: 'position', label: 'Chức vụ công đoàn' },
  { value: 'nationality', label: 'Quốc tịch' },
  { value: 'ethnicity', label: 'Dân tộc' },
  { value: 'religion', label: 'Tôn giáo' },
  { value: 'card_status', label: 'Tình trạng thẻ' },
  { value: 'has_photo', label: 'Có ảnh' },
  { value: 'has_id_number', label: 'Có số CCCD' },
  { value: 'has_phone', label: 'Có số điện thoại' },
];

type Values = { by: Dimension; as_of: dayjs.Dayjs };

export default function BreakdownPage() {
  const { unitId } = useParams() as { unitId: string };
  const [form] = Form.useForm<Values>();
  const [query, setQuery] = useState<{ by: Dimension; as_of: string }>({ by: 'status', as_of: dayjs().format(API_DATE) });
  const breakdown = useBreakdown({ unit_id: unitId, ...query });
  const { message } = App.useApp();
  const [problem, setProblem] = useState<string[]>([]);
  const refused = breakdown.error instanceof ApiProblem && !breakdown.error.retryable;
  useEffect(() => {
    document.title = 'Số liệu theo tiêu chí — Quản lý đoàn viên';
  }, []);
  useEffect(() => {
    if (refused) {
      setProblem(showOnForm(form, breakdown.error));
    } else {
      form.setFields([{ name: 'as_of', errors: [] }, { name: 'by', errors: [] }]);
      setProblem([]);
    }
  }, [breakdown.error, refused, form]);
  const data = refused ? undefined : breakdown.data;
  const rows = data?.rows ?? [];
  const spec: ChartSpec = useMemo(() => ({
    kind: 'bars', name: 'Đoàn viên', values: rows.map((r) => r.members),
    labels: rows.map((r) => (r.label.length > 24 ? `${r.label.slice(0, 23)}…` : r.label)),
  }), [JSON.stringify(rows)]);
  return (
    <>
      <div className="page-header"><h1>Số liệu đoàn viên theo tiêu chí</h1></div>
      <ReportsNav unitId={unitId} />
      <Form form={form} layout="vertical" initialValues={{ by: query.by, as_of: dayjs(query.as_of) }}
            onFinish={(v) => setQuery({ by: v.by, as_of: v.as_of.format(API_DATE) })}>
        <FormProblem messages={problem} />
        <div className="filter-grid">
          <Form.Item name="by" label="Tiêu chí">
            <Select showSearch={{ optionFilterProp: 'label' }} options={DIMENSIONS} />
          </Form.Item>
          <Form.Item name="as_of" label="Tại ngày">
            <DatePicker format={DATE_FORMAT} allowClear={false} placeholder="dd/mm/yyyy" style={{ width: '100%' }}
                        disabledDate={(d) => d.isAfter(dayjs(), 'day')} />
          </Form.Item>
        </div>
        <Space wrap style={{ marginBottom: 12 }}>
          <Button type="primary" htmlType="submit">Xem</Button>
          <Button icon={<DownloadOutlined aria-hidden />} disabled={!data}
                onClick={() => void download('/api/v1/reporting/members/breakdown.xlsx', { unit_id: unitId, ...query },
                                             'so-lieu-doan-vien.xlsx').catch((e) => message.error(problemMessage(e)))}>
            Tải Excel (.xlsx)
          </Button>
        </Space>
      </Form>
      {breakdown.isError && !refused ? <ErrorState error={breakdown.error} onRetry={breakdown.refetch} /> : (
        <Card loading={breakdown.isPending}
              title={data && `${data.by_label} — ${data.unit_name ?? ''}, cuối ngày ${formatDate(data.as_of)}`}>
          <Row gutter={[16, 16]}>
            <Col xs={24} lg={14}>
              {rows.length > 0 && (
                <Chart spec={spec} height={Math.max(200, rows.length * 28)}
                       label={`Biểu đồ cột: đoàn viên theo ${data?.by_label.toLowerCase() ?? 'tiêu chí'}`} />
              )}
            </Col>
            <Col xs={24} lg={10}>
              <Table<BreakdownRow>
                rowKey={(r) => r.value ?? '(chưa rõ)'} size="small" pagination={false} dataSource={rows}
                loading={breakdown.isFetching} locale={{ emptyText: 'Không có đoàn viên nào vào ngày này' }}
                columns={[
                  { title: data?.by_label ?? 'Giá trị', dataIndex: 'label' },
                  { title: 'Đoàn viên', dataIndex: 'members', align: 'right', render: formatNumber },
                  { title: 'Tỷ lệ', key: 'share', align: 'right',
                    render: (_, r) => (data?.total ? `${((r.members * 100) / data.total).toLocaleString('vi-VN', { maximumFractionDigits: 1 })} %` : '') },
                ]}
                summary={() => data && rows.length > 0 && (
                  <Table.Summary.Row>
                    <Table.Summary.Cell index={0}><strong>Tổng</strong></Table.Summary.Cell>
                    <Table.Summary.Cell index={1} align="right"><strong>{formatNumber(data.total)}</strong></Table.Summary.Cell>
                    <Table.Summary.Cell index={2} />
                  </Table.Summary.Row>
                )}
              />
            </Col>
          </Row>
        </Card>
      )}
    </>
  );
}
