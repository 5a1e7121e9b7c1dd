/**
 * Quy định mức đóng: the effective-dated dues policies (rate, cap, the grassroots union's share, what an upper level
 * keeps, the exemption reasons). The national administrator adds a policy from a month's first day (a policy is
 * never edited: a new one takes over) and edits a policy's exemption reasons: a reason may be renamed or added at
 * any time, taken off only before the policy applies (months recorded under it may name it).
 */

import { DeleteOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import { App, Button, Card, DatePicker, Form, Input, InputNumber, Modal, Space, Table, Tag, Tooltip } from 'antd';
import type { FormInstance } from 'antd';
import dayjs from 'dayjs';
import { useEffect, useState } from 'react';
import { useParams } from 'react-router';
import { FormProblem } from '@/components/form-problem';
import { ErrorState } from '@/components/query-state';
import { useAccess } from '@/lib/access';
import { useFormSubmit } from '@/lib/forms';
import { API_DATE, formatDate, formatNumber, today } from '@/lib/format';
import { withFieldNames } from '@/lib/problem';
import { type ExemptionReason, type Policy, useAddPolicy, usePolicies, useSetExemptionReasons } from '../api/dues';
import { DuesNav } from '../components/dues-nav';
import { policyFor } from '../components/norm';

/** A suspended member owes nothing whatever the policy says: the service keeps this reason on every list. */
const SUSPENDED = 'suspended';
const percent = (value: number) => `${formatNumber(value)} %`;
// The rate is kept in ‰ (5 = 0,5 %); the form shows it as a percentage.
const rateField = (field: string) => (field === 'rate_permille' ? 'rate_percent' : field);

type PolicyValues = {
  effective_from: dayjs.Dayjs; rate_percent: number; base_salary_vnd: number; cap_percent_of_base: number;
  grassroots_share_percent: number; upper_level_keeps_percent: number; decision: string;
  exemption_reasons: ExemptionReason[];
};

export default function PoliciesPage() {
  const { unitId } = useParams() as { unitId: string };
  const policies = usePolicies();
  const canWrite = useAccess(unitId).hasRole('national_admin');
  const [editing, setEditing] = useState<Policy | null>(null);
  useEffect(() => {
    document.title = 'Quy định mức đóng đoàn phí — Quản lý đoàn viên';
  }, []);
  const newestFirst = [...(policies.data ?? [])].sort((a, b) => b.effective_from.localeCompare(a.effective_from));
  return (
    <>
      <div className="page-header"><h1>Quy định mức đóng đoàn phí</h1></div>
      <DuesNav unitId={unitId} />
      <Card title="Các quy định theo thời gian" style={{ marginBottom: 16 }}>
        {policies.isError ? <ErrorState error={policies.error} onRetry={policies.refetch} /> : (
          <Table<Policy>
            rowKey="effective_from" size="small" pagination={false} loading={policies.isPending} scroll={{ x: 1200 }}
            dataSource={newestFirst} locale={{ emptyText: 'Chưa có quy định nào' }}
            columns={[
              { title: 'Áp dụng từ', dataIndex: 'effective_from', width: 110, render: formatDate },
              { title: 'Tỷ lệ trên tiền lương', dataIndex: 'rate_permille', width: 110, align: 'right',
                render: (v: number) => percent(v / 10) },
              { title: 'Lương cơ sở (đồng)', dataIndex: 'base_salary_vnd', width: 130, align: 'right', render: formatNumber },
              { title: 'Mức tối đa', key: 'cap', width: 170,
                render: (_, p) => `${percent(p.cap_percent_of_base)} lương cơ sở (${formatNumber(
                  Math.floor((p.base_salary_vnd * p.cap_percent_of_base) / 100))} đồng)` },
              { title: 'CĐCS giữ lại / nộp cấp trên', key: 'split', width: 130,
                render: (_, p) => `${p.grassroots_share_percent} / ${100 - p.grassroots_share_percent} %` },
              { title: 'Cấp trên cơ sở giữ lại', dataIndex: 'upper_level_keeps_percent', width: 110, align: 'right',
                render: percent },
              { title: 'Văn bản', dataIndex: 'decision', width: 180 },
              { title: 'Lý do được miễn đóng', dataIndex: 'exemption_reasons', width: 280,
                render: (reasons: ExemptionReason[]) => (
                  <Space size={[4, 4]} wrap>{reasons.map((r) => <Tag key={r.code}>{r.name}</Tag>)}</Space>
                ) },
              ...(canWrite ? [{
                title: '', key: 'edit', width: 150,
                render: (_: unknown, p: Policy) => (
                  <Button size="small" icon={<EditOutlined aria-hidden />} onClick={() => setEditing(p)}
                          aria-label={`Sửa lý do miễn của quy định từ ${formatDate(p.effective_from)}`}>
                    Sửa lý do miễn
                  </Button>
                ),
              }] : []),
            ]}
          />
        )}
      </Card>
      {canWrite && policies.data && <AddPolicy policies={policies.data} />}
      {editing && <ReasonsDialog policy={editing} onClose={() => setEditing(null)} />}
    </>
  );
}

/** The list of exemption reasons of a form: a code and a name a row; `fixed` codes cannot be taken off. */
function ReasonsList({ fixed }: { fixed: (code: string | undefined) => string | null }) {
  return (
    <Form.List name="exemption_reasons">
      {(fields, { add, remove }, { errors }) => (
        <>
          {fields.map((field) => (
            <Form.Item noStyle key={field.key} shouldUpdate>
              {(form) => {
                const code = (form as FormInstance).getFieldValue(['exemption_reasons', field.name, 'code']) as string | undefined;
                const kept = fixed(code);
                return (
                  <div className="filter-grid" style={{ alignItems: 'start' }}>
                    <Form.Item name={[field.name, 'code']} label="Mã lý do" extra="chữ thường, số, dấu _"
                               rules={[{ required: true, message: 'Nhập mã lý do' }]}>
                      <Input maxLength={40} disabled={code === SUSPENDED} />
                    </Form.Item>
                    <Form.Item name={[field.name, 'name']} label="Tên lý do (như in ra)"
                               rules={[{ required: true, message: 'Nhập tên lý do' }]}>
                      <Input maxLength={100} />
                    </Form.Item>
                    <Form.Item label=" ">
                      <Tooltip title={kept}>
                        <Button icon={<DeleteOutlined aria-hidden />} disabled={kept !== null}
                                onClick={() => remove(field.name)} aria-label={`Bỏ lý do ${code ?? ''}`}>
                          Bỏ
                        </Button>
                      </Tooltip>
                    </Form.Item>
                  </div>
                );
              }}
            </Form.Item>
          ))}
          <Form.ErrorList errors={errors} />
          <Button icon={<PlusOutlined aria-hidden />} onClick={() => add({ code: '', name: '' })} style={{ marginBottom: 16 }}>
            Thêm lý do miễn
          </Button>
        </>
      )}
    </Form.List>
  );
}

const suspendedStays = (code: string | undefined) =>
  (code === SUSPENDED ? 'Đoàn viên tạm dừng sinh hoạt luôn được miễn' : null);

function AddPolicy({ policies }: { policies: Policy[] }) {
  const [form] = Form.useForm<PolicyValues>();
  const add = useAddPolicy();
  const { message, modal } = App.useApp();
  // The new policy starts from the one in force now; its reasons are carried over unless changed here.
  const current = policyFor(today().slice(0, 7), policies);
  const { onFinish, problem, submitting } = useFormSubmit(form, async (values: PolicyValues) => {
    try {
      await add.mutateAsync({
        effective_from: values.effective_from.startOf('month').format(API_DATE),
        rate_permille: Math.round(values.rate_percent * 10),
        base_salary_vnd: values.base_salary_vnd,
        cap_percent_of_base: values.cap_percent_of_base,
        grassroots_share_percent: values.grassroots_share_percent,
        upper_level_keeps_percent: values.upper_level_keeps_percent,
        decision: values.decision.trim(),
        exemption_reasons: values.exemption_reasons.map((r) => ({ code: r.code.trim(), name: r.name.trim() })),
      });
    } catch (error) {
      throw withFieldNames(error, rateField);
    }
    message.success('Đã thêm quy định');
    form.resetFields(['effective_from', 'decision']);
  });
  const ask = (values: PolicyValues) => modal.confirm({
    title: `Thêm quy định áp dụng từ ${values.effective_from.format('MM/YYYY')}?`,
    content: 'Quy định không sửa được sau khi thêm (chỉ sửa được lý do miễn); muốn thay đổi thì thêm quy định từ tháng khác.',
    okText: 'Thêm quy định', cancelText: 'Hủy',
    onOk: () => onFinish(values),
  });
  return (
    <Card title="Thêm quy định">
      <Form form={form} layout="vertical" onFinish={ask} requiredMark={false} initialValues={current && {
        rate_percent: current.rate_permille / 10, base_salary_vnd: current.base_salary_vnd,
        cap_percent_of_base: current.cap_percent_of_base, grassroots_share_percent: current.grassroots_share_percent,
        upper_level_keeps_percent: current.upper_level_keeps_percent, exemption_reasons: current.exemption_reasons,
      }}>
        <FormProblem messages={problem} />
        <div className="filter-grid">
          <Form.Item name="effective_from" label="Áp dụng từ tháng" rules={[{ required: true, message: 'Chọn tháng áp dụng' }]}>
            <DatePicker picker="month" format="MM/YYYY" style={{ width: '100%' }} placeholder="mm/yyyy" />
          </Form.Item>
          <Form.Item name="rate_percent" label="Tỷ lệ trên tiền lương (%)" rules={[{ required: true, message: 'Nhập tỷ lệ' }]}>
            <InputNumber<number> min={0} max={10} step={0.1} decimalSeparator="," style={{ width: '100%' }} />
          </Form.Item>
          <Form.Item name="base_salary_vnd" label="Lương cơ sở (đồng)" rules={[{ required: true, message: 'Nhập lương cơ sở' }]}>
            <InputNumber<number> min={1} style={{ width: '100%' }} inputMode="numeric"
                                 formatter={(v) => (v === undefined ? '' : formatNumber(Number(v)))}
                                 parser={(v) => Number((v ?? '').replace(/[^\d]/g, ''))} />
          </Form.Item>
          <Form.Item name="cap_percent_of_base" label="Mức tối đa (% lương cơ sở)" rules={[{ required: true, message: 'Nhập mức tối đa' }]}>
            <InputNumber<number> min={0} max={100} style={{ width: '100%' }} />
          </Form.Item>
          <Form.Item name="grassroots_share_percent" label="CĐCS giữ lại (%)" extra="phần còn lại nộp cấp trên"
                     rules={[{ required: true, message: 'Nhập phần CĐCS giữ lại' }]}>
            <InputNumber<number> min={0} max={100} style={{ width: '100%' }} />
          </Form.Item>
          <Form.Item name="upper_level_keeps_percent" label="Cấp trên cơ sở giữ lại (%)" extra="của số được nộp lên"
                     rules={[{ required: true, message: 'Nhập phần cấp trên giữ lại' }]}>
            <InputNumber<number> min={0} max={100} style={{ width: '100%' }} />
          </Form.Item>
          <Form.Item name="decision" label="Văn bản quy định" rules={[{ required: true, message: 'Nhập số văn bản' }]}>
            <Input maxLength={200} placeholder="ví dụ 61/QĐ-TLĐ" />
          </Form.Item>
        </div>
        <h3>Lý do được miễn đóng</h3>
        <ReasonsList fixed={suspendedStays} />
        <div><Button type="primary" htmlType="submit" loading={submitting}>Thêm quy định</Button></div>
      </Form>
    </Card>
  );
}

function ReasonsDialog({ policy, onClose }: { policy: Policy; onClose: () => void }) {
  const [form] = Form.useForm<{ exemption_reasons: ExemptionReason[] }>();
  const save = useSetExemptionReasons();
  const { message } = App.useApp();
  // Once the policy applies, months recorded under it may name its reasons: they can be renamed, not taken off.
  const inForce = policy.effective_from <= today();
  const listed = new Set(policy.exemption_reasons.map((r) => r.code));
  const fixed = (code: string | undefined) => suspendedStays(code)
    ?? (inForce && code && listed.has(code) ? 'Quy định đã áp dụng: lý do này chỉ sửa được tên' : null);
  const { onFinish, problem, submitting } = useFormSubmit(form, async (values: { exemption_reasons: ExemptionReason[] }) => {
    await save.mutateAsync({
      effectiveFrom: policy.effective_from,
      reasons: values.exemption_reasons.map((r) => ({ code: r.code.trim(), name: r.name.trim() })),
    });
    message.success('Đã lưu lý do miễn');
    onClose();
  });
  return (
    <Modal open width={720} title={`Lý do miễn đóng của quy định từ ${formatDate(policy.effective_from)}`}
           okText="Lưu" cancelText="Đóng" onCancel={onClose} onOk={() => form.submit()} confirmLoading={submitting}
           destroyOnHidden>
      {/* Named: its fields' ids must not be those of the add form's list on the same page (a label would name the
          other form's field). */}
      <Form form={form} name="policy-reasons" layout="vertical" onFinish={onFinish} requiredMark={false}
            initialValues={{ exemption_reasons: policy.exemption_reasons }}>
        <FormProblem messages={problem} />
        {inForce && <p style={{ marginTop: 0 }}>Quy định đã áp dụng: có thể sửa tên hoặc thêm lý do, không bỏ được lý do đã có.</p>}
        <ReasonsList fixed={fixed} />
      </Form>
    </Modal>
  );
}
