/**
 * Chỉ tiêu phát triển đoàn viên: for a term (nhiệm kỳ), the unit and each unit directly under it with the targets
 * its upper level set (members at the term's end, admissions during it) and how far it is; downloadable as .xlsx.
 */

import { DownloadOutlined, FilePdfOutlined } from '@ant-design/icons';
import { App, Button, Form, Input, Space, Table } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useEffect, useState } from 'react';
import { useParams } from 'react-router';
import { FormProblem } from '@/components/form-problem';
import { ErrorState, problemMessage } from '@/components/query-state';
import { UnitName } from '@/components/units/unit-name';
import { download } from '@/lib/files';
import { showOnForm } from '@/lib/forms';
import { formatNumber } from '@/lib/format';
import { ApiProblem } from '@/lib/problem';
import { type TargetProgress, useTargetProgress } from '../api/standard';
import { currentTerm } from '../components/periods';
import { ReportsNav } from '../components/reports-nav';

/** A figure counted only for a unit with a target of the term (from the term's start). */
function counted(row: TargetProgress, value: number): string {
  return row.counted_from ? formatNumber(value) : '—';
}

function share(value: number | null | undefined): string {
  return value === null || value === undefined
    ? '—' : `${(value * 100).toLocaleString('vi-VN', { maximumFractionDigits: 1 })} %`;
}

export default function TargetsReportPage() {
  const { unitId } = useParams() as { unitId: string };
  const [term, setTerm] = useState(currentTerm(new Date().getFullYear()));
  const query = { unit_id: unitId, term };
  const progress = useTargetProgress(query);
  const { message } = App.useApp();
  const [form] = Form.useForm<{ term: string }>();
  const [problem, setProblem] = useState<string[]>([]);
  const refused = progress.error instanceof ApiProblem && !progress.error.retryable;
  useEffect(() => {
    document.title = 'Chỉ tiêu phát triển đoàn viên — Quản lý đoàn viên';
  }, []);
  useEffect(() => {
    if (refused) {
      setProblem(showOnForm(form, progress.error));
    } else {
      form.setFields([{ name: 'term', errors: [] }]);
      setProblem([]);
    }
  }, [progress.error, refused, form]);
  const rows = refused ? [] : progress.data ?? [];
  const [unit, ...below] = rows;
  const columns: ColumnsType<TargetProgress> = [
    { title: 'Đơn vị', dataIndex: 'name', width: 240, fixed: 'left' },
    { title: 'Số đoàn viên', children: [
      { title: 'Chỉ tiêu', key: 'members-target', width: 100, align: 'right',
        render: (_, r) => (r.target ? formatNumber(r.target.members) : '—') },
      { title: 'Đầu nhiệm kỳ', key: 'members-at-start', width: 110, align: 'right',
        render: (_, r) => counted(r, r.members_at_start) },
      { title: 'Đến nay', key: 'members', width: 100, align: 'right', render: (_, r) => counted(r, r.members) },
      { title: 'Tỷ lệ đạt', dataIndex: 'members_progress', width: 100, align: 'right', render: share },
    ] },
    { title: 'Kết nạp mới', children: [
      { title: 'Chỉ tiêu', key: 'admissions-target', width: 100, align: 'right',
        render: (_, r) => (r.target ? formatNumber(r.target.admissions) : '—') },
      { title: 'Đã kết nạp', key: 'admitted', width: 100, align: 'right', render: (_, r) => counted(r, r.admitted) },
      { title: 'Tỷ lệ đạt', dataIndex: 'admissions_progress', width: 100, align: 'right', render: share },
    ] },
  ];
  return (
    <>
      <div className="page-header"><h1>Chỉ tiêu phát triển đoàn viên</h1></div>
      <ReportsNav unitId={unitId} />
      <p style={{ marginTop: 0 }}><UnitName unitId={unitId} /> và các đơn vị trực thuộc: chỉ tiêu cấp trên giao và tiến độ.</p>
      <Form form={form} layout="vertical" initialValues={{ term }} onFinish={(v) => setTerm(v.term.trim())}>
        <FormProblem messages={problem} />
        <div className="filter-grid">
          <Form.Item name="term" label="Nhiệm kỳ" extra="Ví dụ 2023-2028"
                     rules={[{ required: true, message: 'Nhập nhiệm kỳ, ví dụ 2023-2028' }]}>
            <Input inputMode="numeric" maxLength={9} />
          </Form.Item>
        </div>
        <Space wrap style={{ marginBottom: 12 }}>
          <Button type="primary" htmlType="submit">Xem</Button>
          <Button icon={<DownloadOutlined aria-hidden />} disabled={!unit}
                  onClick={() => void download('/api/v1/reporting/targets.xlsx', query, 'chi-tieu-phat-trien-doan-vien.xlsx')
                    .catch((e) => message.error(problemMessage(e)))}>
            Tải Excel (.xlsx)
          </Button>
          <Button icon={<FilePdfOutlined aria-hidden />} disabled={!unit}
                  onClick={() => void download('/api/v1/reporting/targets.pdf', query, 'chi-tieu-phat-trien-doan-vien.pdf')
                    .catch((e) => message.error(problemMessage(e)))}>
            Tải PDF
          </Button>
        </Space>
      </Form>
      {progress.isError && !refused ? <ErrorState error={progress.error} onRetry={progress.refetch} /> : (
        <Table<TargetProgress>
          rowKey="unit_id" size="small" bordered pagination={false} loading={progress.isFetching} columns={columns}
          dataSource={below} scroll={{ x: 1000 }}
          title={() => `Nhiệm kỳ ${term}`}
          locale={{ emptyText: 'Đơn vị không có đơn vị trực thuộc nào' }}
          summary={() => unit && (
            <Table.Summary>
              <Table.Summary.Row>
                <Table.Summary.Cell index={0}><strong>Toàn đơn vị</strong></Table.Summary.Cell>
                <Table.Summary.Cell index={1} align="right"><strong>{unit.target ? formatNumber(unit.target.members) : '—'}</strong></Table.Summary.Cell>
                <Table.Summary.Cell index={2} align="right"><strong>{counted(unit, unit.members_at_start)}</strong></Table.Summary.Cell>
                <Table.Summary.Cell index={3} align="right"><strong>{counted(unit, unit.members)}</strong></Table.Summary.Cell>
                <Table.Summary.Cell index={4} align="right"><strong>{share(unit.members_progress)}</strong></Table.Summary.Cell>
                <Table.Summary.Cell index={5} align="right"><strong>{unit.target ? formatNumber(unit.target.admissions) : '—'}</strong></Table.Summary.Cell>
                <Table.Summary.Cell index={6} align="right"><strong>{counted(unit, unit.admitted)}</strong></Table.Summary.Cell>
                <Table.Summary.Cell index={7} align="right"><strong>{share(unit.admissions_progress)}</strong></Table.Summary.Cell>
              </Table.Summary.Row>
            </Table.Summary>
          )}
        />
      )}
    </>
  );
}
