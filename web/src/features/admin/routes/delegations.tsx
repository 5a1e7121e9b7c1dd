/**
 * Ủy quyền: lend some of my own roles on this unit to another user for a period, with a reason, and revoke a
 * delegation before it ends. The list shows the delegations on units of my subtree.
 */

import { PlusOutlined } from '@ant-design/icons';
import { App, Button, DatePicker, Form, Input, Modal, Select, Table, Tag } from 'antd';
import dayjs from 'dayjs';
import { useEffect, useState } from 'react';
import { useParams } from 'react-router';
import { CursorPager, useCursorPages } from '@/components/cursor-pager';
import { FormProblem } from '@/components/form-problem';
import { ErrorState, problemMessage } from '@/components/query-state';
import { UnitName } from '@/components/units/unit-name';
import { grantsReaching, useAncestors, useMe } from '@/lib/access';
import { useFormSubmit } from '@/lib/forms';
import { DATE_FORMAT, formatDate, today, toApiDate } from '@/lib/format';
import { label, ROLE } from '@/lib/labels';
import { listAsOneField, withFieldNames } from '@/lib/problem';
import { type Delegation, useDelegate, useDelegations, useEndDelegation } from '../api/admin';
import { delegationState } from '../components/delegation-state';
import { UserSelect } from '../components/user-select';

export default function DelegationsPage() {
  const { unitId } = useParams() as { unitId: string };
  const pages = useCursorPages(unitId);
  const delegations = useDelegations(pages.after);
  const end = useEndDelegation();
  const [creating, setCreating] = useState(false);
  const { message, modal } = App.useApp();
  const now = today();
  useEffect(() => {
    document.title = 'Ủy quyền — Quản lý đoàn viên';
  }, []);

  return (
    <>
      <div className="page-header">
        <h1>Ủy quyền</h1>
        <Button type="primary" icon={<PlusOutlined aria-hidden />} onClick={() => setCreating(true)}>Ủy quyền mới</Button>
      </div>
      {delegations.isError ? <ErrorState error={delegations.error} onRetry={delegations.refetch} /> : (
        <Table<Delegation>
          rowKey="delegation_id" size="middle" loading={delegations.isFetching}
          dataSource={delegations.data?.items ?? []} pagination={false} scroll={{ x: 1100 }}
          locale={{ emptyText: 'Chưa có ủy quyền nào' }}
          columns={[
            { title: 'Người ủy quyền', dataIndex: 'delegator_name', width: 170 },
            { title: 'Người được ủy quyền', dataIndex: 'delegate_name', width: 170 },
            { title: 'Vai trò', dataIndex: 'roles', width: 180, render: (roles: string[]) => roles.map((r) => label(ROLE, r)).join(', ') },
            { title: 'Đơn vị', dataIndex: 'unit_id', width: 220, render: (id) => <UnitName unitId={id} /> },
            { title: 'Thời gian', key: 'period', width: 190,
              render: (_, d) => `${formatDate(d.starts_on)} – ${formatDate(d.ends_on)}` },
            { title: 'Lý do', dataIndex: 'reason' },
            { title: 'Trạng thái', key: 'state', width: 130,
              render: (_, d) => {
                const state = delegationState(d, now);
                return <Tag color={state.color}>{state.label}</Tag>;
              } },
            { title: '', key: 'end', width: 100,
              render: (_, d) => delegationState(d, now).live && (
                <Button size="small" danger onClick={() => modal.confirm({
                  title: `Thu hồi ủy quyền cho ${d.delegate_name ?? ''}?`, okText: 'Thu hồi', cancelText: 'Không',
                  okButtonProps: { danger: true },
                  content: 'Các quyền được ủy quyền hết hiệu lực ngay.',
                  onOk: async () => {
                    try {
                      await end.mutateAsync(d.delegation_id);
                      message.success('Đã thu hồi ủy quyền');
                    } catch (error) {
                      message.error(problemMessage(error));
                    }
                  },
                })}>Thu hồi</Button>
              ) },
          ]}
        />
      )}
      <CursorPager pages={pages} next={delegations.data?.next_cursor} />
      {creating && <DelegateDialog unitId={unitId} onClose={() => setCreating(false)} />}
    </>
  );
}

type Values = { delegate_id: string; roles: string[]; starts_on: dayjs.Dayjs; ends_on: dayjs.Dayjs; reason: string };

function DelegateDialog({ unitId, onClose }: { unitId: string; onClose: () => void }) {
  const [form] = Form.useForm<Values>();
  const me = useMe();
  const ancestors = useAncestors(unitId);
  const delegate = useDelegate();
  const { message } = App.useApp();
  // Only my own roles (not ones lent to me) that reach this unit can be lent.
  const chain = [...(ancestors.data ?? []).map((unit) => unit.unit_id), unitId];
  const mine = [...new Set(grantsReaching(me.data, chain).filter((g) => !g.delegation_id).map((g) => g.role))];
  // One role to lend: it is chosen already. My grants and the unit's ancestors may arrive after the dialog opened
  // (right after signing in), so the choice is made when they do, unless the user has touched the field.
  const onlyRole = mine.length === 1 ? mine[0] : undefined;
  useEffect(() => {
    if (onlyRole && !form.isFieldTouched('roles') && !form.getFieldValue('roles')?.length) {
      form.setFieldValue('roles', [onlyRole]);
    }
  }, [onlyRole, form]);
  const { onFinish, problem, submitting } = useFormSubmit(form, async (values: Values) => {
    try {
      await delegate.mutateAsync({
        delegate_id: values.delegate_id, unit_id: unitId, roles: values.roles ?? [],
        starts_on: toApiDate(values.starts_on) as string, ends_on: toApiDate(values.ends_on) as string,
        reason: values.reason?.trim() ?? '',
      });
    } catch (error) {
      throw withFieldNames(error, listAsOneField('roles'));
    }
    message.success('Đã ủy quyền');
    onClose();
  });
  return (
    <Modal open title="Ủy quyền vai trò tại đơn vị" okText="Ủy quyền" cancelText="Đóng" onCancel={onClose}
           onOk={() => form.submit()} confirmLoading={submitting} destroyOnHidden>
      <p style={{ marginTop: 0 }}>Đơn vị: <UnitName unitId={unitId} /></p>
      <Form form={form} layout="vertical" onFinish={onFinish}
            initialValues={{ roles: onlyRole ? [onlyRole] : [], starts_on: dayjs(), ends_on: dayjs().add(7, 'day'), reason: '' }}>
        <FormProblem messages={problem} />
        <Form.Item name="delegate_id" label="Người được ủy quyền"><UserSelect /></Form.Item>
        <Form.Item name="roles" label="Vai trò ủy quyền" extra="Chỉ ủy quyền được vai trò bạn đang giữ tại đơn vị này hoặc cấp trên.">
          <Select mode="multiple" showSearch={{ optionFilterProp: 'label' }} placeholder="Chọn vai trò"
                  options={mine.map((role) => ({ value: role, label: label(ROLE, role) }))} />
        </Form.Item>
        <div style={{ display: 'flex', gap: 12, flexWrap: 'wrap' }}>
          <Form.Item name="starts_on" label="Từ ngày" style={{ flex: '1 1 140px' }}>
            <DatePicker format={DATE_FORMAT} style={{ width: '100%' }} allowClear={false} />
          </Form.Item>
          <Form.Item name="ends_on" label="Đến hết ngày" style={{ flex: '1 1 140px' }}>
            <DatePicker format={DATE_FORMAT} style={{ width: '100%' }} allowClear={false} />
          </Form.Item>
        </div>
        <Form.Item name="reason" label="Lý do"><Input.TextArea rows={2} maxLength={500} /></Form.Item>
      </Form>
    </Modal>
  );
}
