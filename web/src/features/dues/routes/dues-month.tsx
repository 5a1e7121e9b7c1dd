/**
 * Một tháng đoàn phí of a grassroots union: its members as a grid (salary basis, exemption, the norm from the
 * month's policy, what was paid, prefilled with the norm), recorded in one save, all or nothing. A month already
 * recorded opens with its record and saving corrects it (a new record replaces the old, which is kept).
 */

import { DownloadOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Descriptions, Form, InputNumber, Select, Space, Table, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { FormProblem } from '@/components/form-problem';
import { ErrorState, problemMessage } from '@/components/query-state';
import { UnitName } from '@/components/units/unit-name';
import { PERMISSIONS, useAccess } from '@/lib/access';
import { download } from '@/lib/files';
import { useFormSubmit } from '@/lib/forms';
import { formatDate, formatDateTime, formatNumber } from '@/lib/format';
import { ApiProblem, fieldPath } from '@/lib/problem';
import { type MonthDetail, useLiveMonth, usePolicies, usePreviousMonth, useRecordMonth, useUnitMembers } from '../api/dues';
import { exemptionOptions, type GridLine, gridLines, normOf, policyFor } from '../components/norm';

type Values = { lines: GridLine[] };

export default function DuesMonthPage() {
  const { unitId, month } = useParams() as { unitId: string; month: string };
  const policies = usePolicies();
  const live = useLiveMonth(unitId, month);
  const members = useUnitMembers(unitId);
  const previous = usePreviousMonth(unitId, month, live.isSuccess && live.data === null);
  const title = `Đoàn phí tháng ${month.slice(5, 7)}/${month.slice(0, 4)}`;
  useEffect(() => {
    document.title = `${title} — Quản lý đoàn viên`;
  }, [title]);
  const failed = [policies, live, members, previous].find((q) => q.isError);
  const ready = policies.isSuccess && live.isSuccess && members.isSuccess && (live.data !== null || previous.isSuccess);
  return (
    <>
      <div className="page-header">
        <h1>{title}</h1>
        <Link to={`/don-vi/${unitId}/doan-phi`}>Về các tháng trong năm</Link>
      </div>
      <p style={{ marginTop: 0 }}><UnitName unitId={unitId} /></p>
      {failed ? <ErrorState error={failed.error} onRetry={failed.refetch} /> : !ready ? <Card loading /> : (
        <MonthGrid unitId={unitId} month={month} key={live.data?.collection_id ?? 'new'}
                   lines={gridLines(members.data, policyFor(month, policies.data), live.data?.lines ?? null,
                                    previous.data?.lines ?? null)}
                   policy={policyFor(month, policies.data)} record={live.data} />
      )}
    </>
  );
}

function MonthGrid({ unitId, month, lines, policy, record }: {
  unitId: string;
  month: string;
  lines: GridLine[];
  policy: ReturnType<typeof policyFor>;
  record: MonthDetail | null;
}) {
  const [form] = Form.useForm<Values>();
  const access = useAccess(unitId);
  const save = useRecordMonth();
  const { message } = App.useApp();
  const [lineProblems, setLineProblems] = useState<string[]>([]);
  const watched = Form.useWatch('lines', form) as GridLine[] | undefined;
  const current = watched ?? lines;
  const canWrite = access.can(PERMISSIONS.duesWrite);
  const position = useMemo(() => new Map(lines.map((line, index) => [line.member_id, index])), [lines]);
  const totals = useMemo(() => current.reduce((sum, line) => {
    const norm = line.exemption ? 0 : normOf(policy, line.salary_vnd) ?? 0;
    const paid = line.exemption ? 0 : line.paid_vnd ?? norm;
    return { norm: sum.norm + norm, paid: sum.paid + paid };
  }, { norm: 0, paid: 0 }), [current, policy]);

  const { onFinish, problem, submitting } = useFormSubmit(form, async () => {
    setLineProblems([]);
    // Every line, also those of pages of the grid not on screen.
    const all = (form.getFieldsValue(true) as Values).lines;
    try {
      const saved = await save.mutateAsync({
        unit_id: unitId, month, corrects_id: record?.collection_id ?? null,
        lines: all.map((line) => ({
          member_id: line.member_id, salary_vnd: line.salary_vnd ?? null, exemption: line.exemption ?? null,
          paid_vnd: line.exemption ? null : line.paid_vnd ?? null,
        })),
      });
      message.success(`Đã ghi nhận ${formatNumber(saved.members_paid)} đoàn viên đóng, tổng ${formatNumber(saved.collected_vnd)} đồng`);
    } catch (error) {
      // Each refused line is named with the member, wherever the grid's page shows it.
      if (error instanceof ApiProblem) {
        setLineProblems((error.body.errors ?? []).flatMap((entry) => {
          const path = entry.field ? fieldPath(entry.field) : [];
          const line = path[0] === 'lines' && typeof path[1] === 'number' ? all[path[1]] : undefined;
          return line ? [`${line.full_name}: ${entry.message_vi ?? ''}`] : [];
        }));
      }
      throw error;
    }
  });

  const setLine = (index: number, change: Partial<GridLine>) => {
    const line = { ...form.getFieldValue(['lines', index]), ...change } as GridLine;
    // A new salary or exemption brings the norm back as what was paid; the officer changes it when it differs.
    if ('salary_vnd' in change || 'exemption' in change) line.paid_vnd = line.exemption ? 0 : normOf(policy, line.salary_vnd);
    form.setFieldValue(['lines', index], line);
  };

  if (!policy) return <Alert type="warning" showIcon title="Chưa có quy định mức đoàn phí cho tháng này." />;
  return (
    <Form form={form} onFinish={onFinish} initialValues={{ lines }} disabled={!canWrite}>
      <Card style={{ marginBottom: 12 }}>
        <Descriptions size="small" column={{ xs: 1, md: 2, xl: 4 }}>
          <Descriptions.Item label="Quy định áp dụng">
            {`${policy.rate_permille / 10}% tiền lương, tối đa ${formatNumber(Math.floor(policy.base_salary_vnd * policy.cap_percent_of_base / 100))} đồng (từ ${formatDate(policy.effective_from)})`}
          </Descriptions.Item>
          <Descriptions.Item label="Đoàn viên"><span className="nowrap">{formatNumber(current.length)}</span></Descriptions.Item>
          <Descriptions.Item label="Theo mức quy định"><span className="nowrap">{formatNumber(totals.norm)} đồng</span></Descriptions.Item>
          <Descriptions.Item label="Đã thu"><span className="nowrap">{formatNumber(totals.paid)} đồng</span></Descriptions.Item>
          {record && (
            <Descriptions.Item label="Đã ghi nhận">{`${record.recorded_by} · ${formatDateTime(record.recorded_at)}`}</Descriptions.Item>
          )}
        </Descriptions>
        {/* A reader (the grid is disabled for them) may still download the month. */}
        {record && (
          <Button icon={<DownloadOutlined aria-hidden />} style={{ marginTop: 8 }} disabled={false}
                  onClick={() => void download(`/api/v1/dues/months/${record.collection_id}/lines.xlsx`, {},
                                               `doan-phi-${month}.xlsx`).catch((e) => message.error(problemMessage(e)))}>
            Tải bảng đoàn phí tháng (.xlsx)
          </Button>
        )}
      </Card>
      <FormProblem messages={[...problem, ...lineProblems.filter((m) => !problem.includes(m))]} />
      {lines.length === 0 ? <Alert type="info" showIcon title="Đơn vị chưa có đoàn viên nào đóng đoàn phí." /> : (
        <Table<GridLine>
          rowKey="member_id" size="small" dataSource={lines} scroll={{ x: 860 }}
          pagination={{ defaultPageSize: 50, showSizeChanger: true, pageSizeOptions: [50, 100, 200], hideOnSinglePage: true }}
          columns={[
            { title: 'Họ và tên', dataIndex: 'full_name', width: 200, fixed: 'left' },
            { title: 'Mã đoàn viên', dataIndex: 'member_code', width: 130 },
            { title: 'Tiền lương (đồng)', key: 'salary', width: 170,
              render: (_, line) => (
                <Form.Item name={['lines', (position.get(line.member_id) as number), 'salary_vnd']} style={{ margin: 0 }}>
                  <InputNumber style={{ width: '100%' }} step={100_000} aria-label={`Tiền lương của ${line.full_name}`}
                               formatter={(v) => (v === undefined || v === null || v === '' ? '' : formatNumber(Number(v)))}
                               parser={(v) => (v ? Number(v.replace(/\D/g, '')) : (null as unknown as number))}
                               onChange={(value) => setLine(position.get(line.member_id) as number, { salary_vnd: typeof value === 'number' ? value : null })} />
                </Form.Item>
              ) },
            { title: 'Miễn đóng', key: 'exemption', width: 190,
              render: (_, line) => (
                <Form.Item name={['lines', (position.get(line.member_id) as number), 'exemption']} style={{ margin: 0 }}>
                  <Select allowClear placeholder="Không" aria-label={`Miễn đóng của ${line.full_name}`}
                          options={exemptionOptions(policy, line.exemption)}
                          onChange={(value) => setLine((position.get(line.member_id) as number), { exemption: value ?? null })} />
                </Form.Item>
              ) },
            { title: 'Mức quy định', key: 'norm', width: 120, align: 'right',
              render: (_, line) => {
                const now = current[(position.get(line.member_id) as number)] ?? line;
                return formatNumber(now.exemption ? 0 : normOf(policy, now.salary_vnd));
              } },
            { title: 'Đã đóng (đồng)', key: 'paid', width: 160,
              render: (_, line) => (
                <Form.Item name={['lines', (position.get(line.member_id) as number), 'paid_vnd']} style={{ margin: 0 }}>
                  <InputNumber style={{ width: '100%' }} aria-label={`Số đã đóng của ${line.full_name}`}
                               disabled={!canWrite || Boolean(current[(position.get(line.member_id) as number)]?.exemption)}
                               formatter={(v) => (v === undefined || v === null || v === '' ? '' : formatNumber(Number(v)))}
                               parser={(v) => {
                                 const text = (v ?? '').trim();
                                 if (!text) return null as unknown as number;
                                 // A minus sign is kept: the API, not the browser, says why a negative amount is refused.
                                 return Number(text.replace(/[^\d-]/g, ''));
                               }} />
                </Form.Item>
              ) },
          ]}
        />
      )}
      {canWrite && (
        <Space style={{ marginTop: 12 }} wrap>
          <Button type="primary" htmlType="submit" loading={submitting}>{record ? 'Lưu bản sửa' : 'Ghi nhận tháng'}</Button>
          <Typography.Text type="secondary">Lưu một lần cho cả tháng; nếu có dòng sai, không dòng nào được ghi.</Typography.Text>
        </Space>
      )}
    </Form>
  );
}
