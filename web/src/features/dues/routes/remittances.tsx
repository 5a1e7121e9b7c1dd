/**
 * Nộp cấp trên: a unit (a grassroots union, or a level above it) records what it transferred to its own upper level
 * for a period; that upper level confirms receipt (once, with the date received); every level sees, per subunit,
 * what was due, remitted, confirmed and outstanding over a period (the reconciliation, downloadable as .xlsx), and
 * its own position towards its upper level.
 */

import { CheckOutlined, DownloadOutlined } from '@ant-design/icons';
import { App, Button, Card, DatePicker, Descriptions, Form, Input, InputNumber, Modal, Select, Table, Tag } from 'antd';
import dayjs from 'dayjs';
import { useEffect, useState } from 'react';
import { useParams } from 'react-router';
import { CursorPager, useCursorPages } from '@/components/cursor-pager';
import { FormProblem } from '@/components/form-problem';
import { ErrorState, problemMessage } from '@/components/query-state';
import { useUnit } from '@/components/units/api';
import { UnitName } from '@/components/units/unit-name';
import { PERMISSIONS, useAccess, useAncestors } from '@/lib/access';
import { download } from '@/lib/files';
import { showOnForm, useFormSubmit } from '@/lib/forms';
import { API_DATE, DATE_FORMAT, formatDate, formatNumber } from '@/lib/format';
import { ApiProblem, withFieldNames } from '@/lib/problem';
import {
  type Grouping, type ReconciliationLine, type ReconciliationQuery, type Remittance, useConfirmRemittance,
  useReconciliation, useRecordRemittance, useRemittances,
} from '../api/upper-level';
import { DuesNav, monthText } from '../components/dues-nav';

const MONTH_FORMAT = 'MM/YYYY';
const periodField = (field: string) => (['month_from', 'month_to'].includes(field) ? 'period' : field);
const vnd = { formatter: (v?: string | number) => (v === undefined || v === '' ? '' : formatNumber(Number(v))),
              parser: (v?: string) => Number((v ?? '').replace(/[^\d-]/g, '')) };

export default function RemittancesPage() {
  const { unitId } = useParams() as { unitId: string };
  const unit = useUnit(unitId);
  const access = useAccess(unitId);
  // Every level but the national centre remits to its own upper level. Its name comes with the unit's path (an
  // officer may not read the unit above their own, but sees its name in the path).
  const ancestors = useAncestors(unitId);
  const parent = ancestors.data?.at(-1);
  const upper = unit.data?.parent_id && parent?.unit_id === unit.data.parent_id
    ? { id: parent.unit_id, name: parent.name } : null;
  useEffect(() => {
    document.title = 'Nộp cấp trên — Quản lý đoàn viên';
  }, []);
  return (
    <>
      <div className="page-header"><h1>Nộp kinh phí cấp trên</h1></div>
      <DuesNav unitId={unitId} />
      {upper && access.can(PERMISSIONS.duesWrite) && <RecordRemittance unitId={unitId} upperName={upper.name} />}
      <Remittances unitId={unitId} upper={upper} canConfirm={access.can(PERMISSIONS.duesWrite)} />
      <ReconciliationCard unitId={unitId} />
    </>
  );
}

type RecordValues = { period: [dayjs.Dayjs, dayjs.Dayjs]; transferred_on: dayjs.Dayjs; amount_vnd: number; reference: string };

function RecordRemittance({ unitId, upperName }: { unitId: string; upperName: string }) {
  const [form] = Form.useForm<RecordValues>();
  const record = useRecordRemittance();
  const { message } = App.useApp();
  const { onFinish, problem, submitting } = useFormSubmit(form, async (values: RecordValues) => {
    try {
      await record.mutateAsync({
        unit_id: unitId, month_from: values.period[0].format('YYYY-MM'), month_to: values.period[1].format('YYYY-MM'),
        transferred_on: values.transferred_on.format(API_DATE), amount_vnd: values.amount_vnd,
        reference: values.reference.trim() });
    } catch (error) {
      throw withFieldNames(error, periodField);
    }
    message.success('Đã ghi nhận khoản nộp cấp trên');
    form.resetFields();
  });
  return (
    <Card title="Ghi nhận số đã nộp cấp trên" style={{ marginBottom: 16 }}>
      <Form form={form} layout="vertical" onFinish={onFinish} requiredMark={false}>
        <FormProblem messages={problem} />
        <p style={{ marginTop: 0 }}>Nộp cho: {upperName}</p>
        <div className="filter-grid">
          <Form.Item name="period" label="Kỳ nộp (từ tháng – đến tháng)" rules={[{ required: true, message: 'Chọn kỳ nộp' }]}>
            <DatePicker.RangePicker picker="month" format={MONTH_FORMAT} order={false} style={{ width: '100%' }}
                                    placeholder={['Từ tháng', 'Đến tháng']} />
          </Form.Item>
          <Form.Item name="transferred_on" label="Ngày chuyển tiền" rules={[{ required: true, message: 'Chọn ngày chuyển tiền' }]}>
            <DatePicker format={DATE_FORMAT} style={{ width: '100%' }} placeholder="dd/mm/yyyy" />
          </Form.Item>
          <Form.Item name="amount_vnd" label="Số tiền (đồng)" rules={[{ required: true, message: 'Nhập số tiền' }]}>
            <InputNumber<number> style={{ width: '100%' }} inputMode="numeric" {...vnd} />
          </Form.Item>
          <Form.Item name="reference" label="Số chứng từ / mã giao dịch" rules={[{ required: true, message: 'Nhập số chứng từ' }]}>
            <Input maxLength={100} />
          </Form.Item>
        </div>
        <Button type="primary" htmlType="submit" loading={submitting}>Ghi nhận khoản nộp</Button>
      </Form>
    </Card>
  );
}

function Remittances({ unitId, upper, canConfirm }: {
  unitId: string;
  upper: { id: string; name: string } | null;
  canConfirm: boolean;
}) {
  const pages = useCursorPages(unitId);
  const remittances = useRemittances(unitId, pages.after);
  const [confirming, setConfirming] = useState<Remittance | null>(null);
  const { message } = App.useApp();
  return (
    <Card title="Các khoản nộp cấp trên" style={{ marginBottom: 16 }} extra={(
      <Button icon={<DownloadOutlined aria-hidden />}
              onClick={() => void download('/api/v1/dues/remittances/export.xlsx', { unit_id: unitId }, 'bang-ke-nop-cap-tren.xlsx')
                .catch((e) => message.error(problemMessage(e)))}>
        Tải bảng kê (.xlsx)
      </Button>
    )}>
      {remittances.isError ? <ErrorState error={remittances.error} onRetry={remittances.refetch} /> : (
        <>
          <Table<Remittance>
            rowKey="remittance_id" size="small" pagination={false} loading={remittances.isFetching} scroll={{ x: 1320 }}
            dataSource={remittances.data?.items ?? []} locale={{ emptyText: 'Chưa có khoản nộp cấp trên nào' }}
            columns={[
              { title: 'Đơn vị nộp', dataIndex: 'unit_id', width: 240, render: (id: string) => <UnitName unitId={id} /> },
              { title: 'Nộp cho', dataIndex: 'upper_unit_id', width: 220,
                // The unit's own upper level by the name in its path; the others are within the officer's scope.
                render: (id: string | null) => (!id ? '' : id === upper?.id ? upper.name : <UnitName unitId={id} />) },
              { title: 'Kỳ', key: 'period', width: 150,
                render: (_, r) => `${monthText(r.month_from)} – ${monthText(r.month_to)}` },
              { title: 'Ngày chuyển', dataIndex: 'transferred_on', width: 110, render: formatDate },
              { title: 'Số tiền (đồng)', dataIndex: 'amount_vnd', width: 140, align: 'right', render: formatNumber },
              { title: 'Chứng từ', dataIndex: 'reference', width: 150 },
              { title: 'Người ghi', dataIndex: 'recorded_by', width: 140 },
              { title: 'Cấp trên', key: 'state', width: 220,
                render: (_, r) => r.confirmed_at
                  ? <Tag color="green">Đã nhận {formatDate(r.received_on)} ({r.confirmed_by})</Tag>
                  : <Tag color="gold">Chờ xác nhận</Tag> },
              { title: '', key: 'confirm', width: 170,
                render: (_, r) => canConfirm && !r.confirmed_at && r.unit_id !== unitId && (
                  <Button size="small" icon={<CheckOutlined aria-hidden />} onClick={() => setConfirming(r)}
                          aria-label={`Xác nhận đã nhận khoản ${r.reference}`}>Xác nhận đã nhận</Button>
                ) },
            ]}
          />
          <CursorPager pages={pages} next={remittances.data?.next_cursor} />
        </>
      )}
      {confirming && <ConfirmDialog remittance={confirming} onClose={() => setConfirming(null)} />}
    </Card>
  );
}

function ConfirmDialog({ remittance, onClose }: { remittance: Remittance; onClose: () => void }) {
  const [form] = Form.useForm<{ received_on: dayjs.Dayjs }>();
  const confirm = useConfirmRemittance();
  const { message } = App.useApp();
  const { onFinish, problem, submitting } = useFormSubmit(form, async (values: { received_on: dayjs.Dayjs }) => {
    await confirm.mutateAsync({ remittanceId: remittance.remittance_id, receivedOn: values.received_on.format(API_DATE) });
    message.success('Đã xác nhận nhận tiền');
    onClose();
  });
  return (
    <Modal open title="Xác nhận đã nhận tiền nộp cấp trên" okText="Xác nhận" cancelText="Đóng" onCancel={onClose}
           onOk={() => form.submit()} confirmLoading={submitting} destroyOnHidden>
      <p>
        {formatNumber(remittance.amount_vnd)} đồng, kỳ {monthText(remittance.month_from)} – {monthText(remittance.month_to)},
        chứng từ {remittance.reference}. Mỗi khoản chỉ xác nhận một lần.
      </p>
      <Form form={form} layout="vertical" onFinish={onFinish} initialValues={{ received_on: dayjs() }}>
        <FormProblem messages={problem} />
        <Form.Item name="received_on" label="Ngày nhận được tiền" rules={[{ required: true, message: 'Chọn ngày nhận' }]}>
          <DatePicker format={DATE_FORMAT} style={{ width: '100%' }} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

type ReconciliationValues = { period: [dayjs.Dayjs, dayjs.Dayjs]; by: Grouping };

function ReconciliationCard({ unitId }: { unitId: string }) {
  const [form] = Form.useForm<ReconciliationValues>();
  const { message } = App.useApp();
  const [query, setQuery] = useState<ReconciliationQuery>({
    unit_id: unitId, month_from: dayjs().startOf('year').format('YYYY-MM'), month_to: dayjs().format('YYYY-MM'), by: 'children' });
  useEffect(() => setQuery((q) => ({ ...q, unit_id: unitId })), [unitId]);
  const reconciliation = useReconciliation(query);
  const refused = reconciliation.error instanceof ApiProblem && !reconciliation.error.retryable;
  const [problem, setProblem] = useState<string[]>([]);
  useEffect(() => {
    setProblem(refused ? showOnForm(form, withFieldNames(reconciliation.error, periodField)) : []);
    if (!refused) form.setFields([{ name: 'period', errors: [] }]);
  }, [reconciliation.error, refused, form]);
  const data = refused ? undefined : reconciliation.data;
  return (
    <Card title="Đối chiếu phải nộp – đã nộp cấp trên" extra={(
      <Button icon={<DownloadOutlined aria-hidden />}
              onClick={() => void download('/api/v1/dues/reconciliation/export.xlsx', query, 'doi-chieu.xlsx')
                .catch((e) => message.error(problemMessage(e)))}>
        Tải đối chiếu (.xlsx)
      </Button>
    )}>
      <Form form={form} layout="vertical"
            initialValues={{ period: [dayjs(`${query.month_from}-01`), dayjs(`${query.month_to}-01`)], by: query.by }}
            onFinish={(v) => setQuery({ unit_id: unitId, month_from: v.period[0].format('YYYY-MM'),
                                        month_to: v.period[1].format('YYYY-MM'), by: v.by })}>
        <FormProblem messages={problem} />
        <div className="filter-grid">
          <Form.Item name="period" label="Kỳ đối chiếu">
            <DatePicker.RangePicker picker="month" format={MONTH_FORMAT} allowClear={false} order={false}
                                    style={{ width: '100%' }} placeholder={['Từ tháng', 'Đến tháng']} />
          </Form.Item>
          <Form.Item name="by" label="Theo">
            <Select options={[{ value: 'children', label: 'Đơn vị trực thuộc' },
                              { value: 'grassroots', label: 'Từng công đoàn cơ sở' }]} />
          </Form.Item>
        </div>
        <Button type="primary" htmlType="submit" style={{ marginBottom: 12 }}>Đối chiếu</Button>
      </Form>
      {data?.to_upper_level && (
        <Descriptions size="small" bordered column={{ xs: 1, md: 2, xl: 4 }} style={{ marginBottom: 12 }}
                      title="Đơn vị này với cấp trên trong kỳ" aria-label="Đơn vị này với cấp trên">
          <Descriptions.Item label="Phải nộp">{formatNumber(data.to_upper_level.due_vnd)} đồng</Descriptions.Item>
          <Descriptions.Item label="Đã nộp">{formatNumber(data.to_upper_level.remitted_vnd)} đồng</Descriptions.Item>
          <Descriptions.Item label="Cấp trên đã nhận">{formatNumber(data.to_upper_level.confirmed_vnd)} đồng</Descriptions.Item>
          <Descriptions.Item label="Còn phải nộp">{formatNumber(data.to_upper_level.outstanding_vnd)} đồng</Descriptions.Item>
        </Descriptions>
      )}
      {reconciliation.isError && !refused ? <ErrorState error={reconciliation.error} onRetry={reconciliation.refetch} /> : (
        <Table<ReconciliationLine>
          rowKey="unit_id" size="small" pagination={false} loading={reconciliation.isFetching} scroll={{ x: 1000 }}
          dataSource={data?.lines ?? []} locale={{ emptyText: 'Không có đơn vị nào trong kỳ này' }}
          columns={[
            { title: 'Đơn vị', dataIndex: 'name', width: 260 },
            { title: 'Tháng đã ghi nhận', dataIndex: 'months_recorded', width: 110, align: 'right', render: formatNumber },
            { title: 'Đã thu (đồng)', dataIndex: 'collected_vnd', width: 130, align: 'right', render: formatNumber },
            { title: 'Phải nộp (đồng)', dataIndex: 'due_vnd', width: 130, align: 'right', render: formatNumber },
            { title: 'Đã nộp (đồng)', dataIndex: 'remitted_vnd', width: 130, align: 'right', render: formatNumber },
            { title: 'Cấp trên đã nhận (đồng)', dataIndex: 'confirmed_vnd', width: 150, align: 'right', render: formatNumber },
            { title: 'Còn phải nộp (đồng)', dataIndex: 'outstanding_vnd', width: 150, align: 'right', render: formatNumber },
          ]}
          summary={() => data && data.lines.length > 0 && (
            <Table.Summary.Row>
              <Table.Summary.Cell index={0} colSpan={3}><strong>Cộng</strong></Table.Summary.Cell>
              {[data.due_vnd, data.remitted_vnd, data.confirmed_vnd, data.outstanding_vnd].map((value, i) => (
                <Table.Summary.Cell key={i} index={i + 3} align="right"><strong>{formatNumber(value)}</strong></Table.Summary.Cell>
              ))}
            </Table.Summary.Row>
          )}
        />
      )}
    </Card>
  );
}
