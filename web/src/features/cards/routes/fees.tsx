/**
 * Phí thẻ: the card fee schedule (blank, printing, linked card; who pays each) in force and upcoming, which the
 * national administrator extends from a later day, and the fee statement of the unit's subtree for a period (the
 * payment voucher list, .xlsx and PDF).
 */

import { DownloadOutlined } from '@ant-design/icons';
import { App, Button, Card, DatePicker, Form, Input, InputNumber, Select, Switch, Table, Tag } from 'antd';
import dayjs from 'dayjs';
import { useEffect, useState } from 'react';
import { useParams } from 'react-router';
import { FormProblem } from '@/components/form-problem';
import { ErrorState, problemMessage } from '@/components/query-state';
import { PERMISSIONS, useAccess } from '@/lib/access';
import { useFormSubmit } from '@/lib/forms';
import { API_DATE, DATE_FORMAT, formatDate, formatNumber } from '@/lib/format';
import { CARD_TYPE, label } from '@/lib/labels';
import {
  downloadStatement, type FeePayer, type SalaryThroughBank, type FeeSchedule, type FeeStatementOrder, type FeeStatementSubunit, PAYERS,
  type Period, useAddFeeSchedule, useChildUnits, useFeeSchedules, useFeeStatement, useSalaryUnits,
  useSetSalaryThroughBank,
} from '../api/fees';

const STATE: Record<FeeSchedule['state'], [string, string]> = {
  in_force: ['green', 'đang áp dụng'], upcoming: ['blue', 'sắp áp dụng'], past: ['default', 'đã hết hiệu lực'],
};
const payerOptions = Object.entries(PAYERS).map(([value, text]) => ({ value, label: text }));

export default function FeesPage() {
  const { unitId } = useParams() as { unitId: string };
  const access = useAccess(unitId);
  useEffect(() => {
    document.title = 'Phí thẻ — Quản lý đoàn viên';
  }, []);
  return (
    <>
      <div className="page-header"><h1>Phí thẻ</h1></div>
      <Schedules />
      {access.can(PERMISSIONS.cardsSetFees) && <AddSchedule />}
      <SalaryUnits unitId={unitId} mayRecord={access.can(PERMISSIONS.cardsOrder)} />
      <Statement unitId={unitId} />
    </>
  );
}

function Schedules() {
  const schedules = useFeeSchedules();
  // What applies now and what comes: past schedules only matter to the orders that stored them.
  const shown = (schedules.data ?? []).filter((s) => s.state !== 'past');
  const payer = (p: FeePayer) => PAYERS[p];
  return (
    <Card title="Biểu phí đang áp dụng và sắp áp dụng" style={{ marginBottom: 16 }}>
      {schedules.isError ? <ErrorState error={schedules.error} onRetry={schedules.refetch} /> : (
        <Table<FeeSchedule>
          rowKey="effective_from" size="small" pagination={false} loading={schedules.isPending} scroll={{ x: 1000 }}
          dataSource={shown} locale={{ emptyText: 'Chưa có biểu phí' }}
          columns={[
            { title: 'Áp dụng từ', dataIndex: 'effective_from', width: 110, render: formatDate },
            { title: '', dataIndex: 'state', width: 130,
              render: (state: FeeSchedule['state']) => <Tag color={STATE[state][0]}>{STATE[state][1]}</Tag> },
            { title: 'Phôi thẻ (đồng/thẻ)', dataIndex: 'blank_vnd', width: 120, align: 'right', render: formatNumber },
            { title: 'In thẻ (đồng/thẻ)', dataIndex: 'printing_vnd', width: 120, align: 'right', render: formatNumber },
            { title: 'Thẻ liên kết (đồng/thẻ)', dataIndex: 'linked_vnd', width: 140, align: 'right', render: formatNumber },
            { title: 'Ai chi', key: 'payers', width: 260, render: (_, s) => (
              <>phôi: {payer(s.blank_paid_by)}; in: {payer(s.printing_paid_by)}; thẻ liên kết: {payer(s.linked_paid_by)}</>
            ) },
            { title: 'Văn bản', dataIndex: 'decision', width: 280 },
          ]}
        />
      )}
      <p style={{ marginTop: 12, marginBottom: 0 }}>
        Thẻ liên kết được miễn phí khi đơn vị cam kết chi lương cho đoàn viên qua ngân hàng (ngân hàng chịu phí).
      </p>
    </Card>
  );
}

type ScheduleValues = {
  effective_from: dayjs.Dayjs; blank_vnd: number; printing_vnd: number; linked_vnd: number;
  blank_paid_by: FeePayer; printing_paid_by: FeePayer; linked_paid_by: FeePayer; decision: string;
};

const money = { style: { width: '100%' }, inputMode: 'numeric' as const,
  formatter: (v: number | string | undefined) => (v === undefined || v === '' ? '' : formatNumber(Number(v))),
  parser: (v: string | undefined) => Number((v ?? '').replace(/[^\d-]/g, '')) };

function AddSchedule() {
  const [form] = Form.useForm<ScheduleValues>();
  const add = useAddFeeSchedule();
  const { message } = App.useApp();
  const { onFinish, problem, submitting } = useFormSubmit(form, async (values: ScheduleValues) => {
    const added = await add.mutateAsync({ ...values, effective_from: values.effective_from.format(API_DATE),
      decision: values.decision.trim() });
    message.success(`Đã thêm biểu phí áp dụng từ ${formatDate(added.effective_from)}`);
    form.resetFields(['effective_from', 'decision']);
  });
  return (
    <Card title="Thêm biểu phí từ một ngày tới" style={{ marginBottom: 16 }}>
      <Form form={form} layout="vertical" onFinish={onFinish} requiredMark={false}
            initialValues={{ blank_paid_by: 'member_unit', printing_paid_by: 'member_unit', linked_paid_by: 'member_unit' }}>
        <FormProblem messages={problem} />
        <div className="filter-grid">
          <Form.Item name="effective_from" label="Áp dụng từ ngày" rules={[{ required: true, message: 'Chọn ngày áp dụng' }]}>
            <DatePicker format={DATE_FORMAT} placeholder="dd/mm/yyyy" style={{ width: '100%' }} />
          </Form.Item>
          <Form.Item name="blank_vnd" label="Phôi thẻ (đồng/thẻ)" rules={[{ required: true, message: 'Nhập giá phôi' }]}>
            <InputNumber<number> {...money} />
          </Form.Item>
          <Form.Item name="printing_vnd" label="In thẻ (đồng/thẻ)" rules={[{ required: true, message: 'Nhập giá in' }]}>
            <InputNumber<number> {...money} />
          </Form.Item>
          <Form.Item name="linked_vnd" label="Thẻ liên kết (đồng/thẻ)" rules={[{ required: true, message: 'Nhập phí thẻ liên kết' }]}>
            <InputNumber<number> {...money} />
          </Form.Item>
          <Form.Item name="blank_paid_by" label="Ai chi phôi"><Select options={payerOptions} /></Form.Item>
          <Form.Item name="printing_paid_by" label="Ai chi tiền in"><Select options={payerOptions} /></Form.Item>
          <Form.Item name="linked_paid_by" label="Ai chi thẻ liên kết"><Select options={payerOptions} /></Form.Item>
          <Form.Item name="decision" label="Văn bản quy định giá" rules={[{ required: true, message: 'Nhập số văn bản' }]}>
            <Input maxLength={300} placeholder="ví dụ 12/QĐ-TLĐ" />
          </Form.Item>
        </div>
        <Button type="primary" htmlType="submit" loading={submitting}>Thêm biểu phí</Button>
      </Form>
    </Card>
  );
}

type AmountRow = FeeStatementOrder | FeeStatementSubunit;
const amountColumns = [
  { title: 'Phôi (đồng)', dataIndex: 'blank_vnd', width: 110, align: 'right' as const, render: formatNumber },
  { title: 'In (đồng)', dataIndex: 'printing_vnd', width: 110, align: 'right' as const, render: formatNumber },
  { title: 'Thẻ liên kết (đồng)', dataIndex: 'linked_vnd', width: 130, align: 'right' as const, render: formatNumber },
  { title: 'Được miễn (đồng)', dataIndex: 'waived_vnd', width: 120, align: 'right' as const, render: formatNumber },
  { title: 'Phải trả (đồng)', dataIndex: 'payable_vnd', width: 120, align: 'right' as const, render: formatNumber },
  { title: 'Cấp cơ sở chi', dataIndex: 'members_units_pay_vnd', width: 120, align: 'right' as const, render: formatNumber },
  { title: 'Đơn vị đặt chi', dataIndex: 'ordering_unit_pays_vnd', width: 120, align: 'right' as const, render: formatNumber },
];

type SalaryValues = { unit_id: string; pays_through_bank: boolean; commitment: string };

/** Đơn vị chi lương qua ngân hàng: the units whose linked cards are free; the level above records them. */
function SalaryUnits({ unitId, mayRecord }: { unitId: string; mayRecord: boolean }) {
  const units = useSalaryUnits(unitId);
  const children = useChildUnits(unitId);
  const record = useSetSalaryThroughBank(unitId);
  const [form] = Form.useForm<SalaryValues>();
  const { message } = App.useApp();
  const { onFinish, problem, submitting } = useFormSubmit(form, async (values: SalaryValues) => {
    await record.mutateAsync({ ...values, commitment: values.commitment.trim() });
    message.success('Đã ghi nhận');
    form.resetFields();
  });
  return (
    <Card title="Đơn vị chi lương qua ngân hàng (thẻ liên kết miễn phí)" style={{ marginBottom: 16 }}>
      {units.isError ? <ErrorState error={units.error} onRetry={units.refetch} /> : (
        <Table<SalaryThroughBank> size="small" rowKey="unit_id" pagination={false} loading={units.isPending}
               dataSource={units.data ?? []} scroll={{ x: 'max-content' }}
               locale={{ emptyText: 'Chưa có đơn vị nào được ghi nhận' }}
               columns={[
                 { title: 'Đơn vị', dataIndex: 'unit_name', width: 240 },
                 { title: 'Chi lương qua ngân hàng', dataIndex: 'pays_through_bank', width: 130,
                   render: (yes: boolean) => (yes ? <Tag color="green">có</Tag> : <Tag>không</Tag>) },
                 { title: 'Văn bản cam kết', dataIndex: 'commitment', width: 220 },
                 { title: 'Ghi nhận ngày', dataIndex: 'set_at', width: 120, render: formatDate },
               ]} />
      )}
      {mayRecord && (
        <Form form={form} layout="vertical" onFinish={onFinish} requiredMark={false} style={{ marginTop: 16 }}
              initialValues={{ pays_through_bank: true }}>
          <FormProblem messages={problem} />
          <div className="filter-grid">
            <Form.Item name="unit_id" label="Đơn vị trực thuộc" rules={[{ required: true, message: 'Chọn đơn vị' }]}>
              <Select showSearch optionFilterProp="label" loading={children.isPending} placeholder="Chọn đơn vị"
                      options={(children.data ?? []).map((u) => ({ value: u.unit_id, label: u.name }))} />
            </Form.Item>
            <Form.Item name="pays_through_bank" label="Chi lương qua ngân hàng" valuePropName="checked">
              <Switch checkedChildren="có" unCheckedChildren="không" />
            </Form.Item>
            <Form.Item name="commitment" label="Văn bản cam kết" rules={[{ required: true, message: 'Nhập văn bản cam kết' }]}>
              <Input maxLength={300} placeholder="ví dụ 05/CK-NH" />
            </Form.Item>
          </div>
          <Button htmlType="submit" loading={submitting}>Ghi nhận</Button>
        </Form>
      )}
    </Card>
  );
}

function Statement({ unitId }: { unitId: string }) {
  const { message } = App.useApp();
  const [range, setRange] = useState<[dayjs.Dayjs, dayjs.Dayjs]>([dayjs().startOf('month'), dayjs()]);
  const period: Period = { unit_id: unitId, date_from: range[0].format(API_DATE), date_to: range[1].format(API_DATE) };
  const statement = useFeeStatement(period);
  const [busy, setBusy] = useState<string | null>(null);
  const save = (kind: 'xlsx' | 'pdf') => {
    setBusy(kind);
    downloadStatement(period, kind).catch((e) => message.error(problemMessage(e))).finally(() => setBusy(null));
  };
  const totals = statement.data?.totals;
  return (
    <Card title="Bảng kê phí thẻ (chứng từ thanh toán)">
      <div className="toolbar">
        <DatePicker aria-label="Từ ngày" format={DATE_FORMAT} allowClear={false} value={range[0]}
                    onChange={(d) => d && setRange([d, range[1]])} />
        <DatePicker aria-label="Đến ngày" format={DATE_FORMAT} allowClear={false} value={range[1]}
                    onChange={(d) => d && setRange([range[0], d])} />
        <Button icon={<DownloadOutlined aria-hidden />} loading={busy === 'xlsx'} onClick={() => save('xlsx')}>Tải .xlsx</Button>
        <Button icon={<DownloadOutlined aria-hidden />} loading={busy === 'pdf'} onClick={() => save('pdf')}>Tải PDF</Button>
      </div>
      {statement.isError ? <ErrorState error={statement.error} onRetry={statement.refetch} /> : (
        <>
          {totals && (
            <p aria-label="Tổng cộng">
              {`${formatNumber(totals.regular_cards)} thẻ thường, ${formatNumber(totals.linked_cards)} thẻ liên kết `
                + `(${formatNumber(totals.waived_cards)} miễn phí). Phải trả: ${formatNumber(totals.payable_vnd)} đồng`
                + ` (cấp cơ sở chi ${formatNumber(totals.members_units_pay_vnd)}, đơn vị đặt in chi `
                + `${formatNumber(totals.ordering_unit_pays_vnd)}); được miễn ${formatNumber(totals.waived_vnd)} đồng.`}
            </p>
          )}
          <h3>Theo đơn vị trực thuộc</h3>
          <Table<AmountRow>
            rowKey={(row) => ('unit_id' in row ? row.unit_id : '')} size="small" pagination={false}
            loading={statement.isFetching} scroll={{ x: 1200 }} dataSource={statement.data?.subunits ?? []}
            locale={{ emptyText: 'Không có thẻ nào được đặt in trong kỳ' }}
            columns={[
              { title: 'Đơn vị', key: 'unit', width: 220, render: (_, row) => ('unit_name' in row ? row.unit_name : '') },
              { title: 'Thẻ thường', dataIndex: 'regular_cards', width: 90, align: 'right', render: formatNumber },
              { title: 'Thẻ liên kết', dataIndex: 'linked_cards', width: 90, align: 'right', render: formatNumber },
              { title: 'Miễn phí', dataIndex: 'waived_cards', width: 80, align: 'right', render: formatNumber },
              ...amountColumns,
            ]}
          />
          <h3 style={{ marginTop: 16 }}>Theo đơn đặt in</h3>
          <Table<AmountRow>
            rowKey={(row) => ('order_id' in row ? row.order_id : '')} size="small" pagination={false}
            loading={statement.isFetching} scroll={{ x: 1300 }} dataSource={statement.data?.orders ?? []}
            locale={{ emptyText: 'Không có đơn đặt in nào trong kỳ' }}
            columns={[
              { title: 'Số đơn', key: 'number', width: 150, render: (_, row) => ('order_number' in row ? row.order_number : '') },
              { title: 'Ngày đặt', key: 'placed', width: 100,
                render: (_, row) => ('placed_at' in row ? formatDate(row.placed_at) : '') },
              { title: 'Loại thẻ', key: 'kind', width: 150, render: (_, row) => ('kind' in row ? label(CARD_TYPE, row.kind) : '') },
              { title: 'Số thẻ', key: 'cards', width: 80, align: 'right',
                render: (_, row) => formatNumber(row.regular_cards + row.linked_cards) },
              ...amountColumns,
            ]}
          />
        </>
      )}
    </Card>
  );
}
