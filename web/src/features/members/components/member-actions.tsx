/**
 * Everything an officer does to one member: correct the record, change the position, suspend or resume, retire,
 * remove (xóa tên) with a reason, transfer to another unit, request a card, and approve or reject a new member.
 * Each opens a dialog that asks for what the API needs and says what will happen.
 */

import { DownOutlined } from '@ant-design/icons';
import { Alert, App, Button, DatePicker, Dropdown, Form, Input, Modal, Select, Space } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { FormProblem } from '@/components/form-problem';
import { UnitPicker } from '@/components/units/unit-picker';
import { type Access, PERMISSIONS } from '@/lib/access';
import { download } from '@/lib/files';
import { useFormSubmit } from '@/lib/forms';
import { DATE_FORMAT, toApiDate } from '@/lib/format';
import { CARD_TYPE } from '@/lib/labels';
import { type Member, type MemberChange, useChangeMember, useRequestCards, useRequestTransfer } from '../api/members';
import { fromMember, MemberFields, type MemberValues, toApi } from './member-fields';

type Action = 'correct' | 'position' | 'suspend' | 'resume' | 'retire' | 'remove' | 'transfer' | 'card'
  | 'approve' | 'reject';

export function MemberActions({ member, access }: { member: Member; access: Access }) {
  const [action, setAction] = useState<Action | null>(null);
  const close = () => setAction(null);
  const write = access.can(PERMISSIONS.membersWrite);
  const items: { key: Action; label: string; danger?: boolean }[] = [];
  if (member.status === 'pending' && access.can(PERMISSIONS.membersApprove)) {
    items.push({ key: 'approve', label: 'Phê duyệt' }, { key: 'reject', label: 'Từ chối', danger: true });
  }
  if (write && !['removed', 'rejected'].includes(member.status)) {
    items.push({ key: 'correct', label: 'Sửa thông tin' }, { key: 'position', label: 'Thay đổi chức vụ' });
  }
  if (write && member.status === 'active') items.push({ key: 'suspend', label: 'Tạm dừng sinh hoạt' });
  if (write && member.status === 'suspended') items.push({ key: 'resume', label: 'Sinh hoạt trở lại' });
  if (write && ['active', 'suspended'].includes(member.status)) {
    items.push({ key: 'retire', label: 'Thôi sinh hoạt (nghỉ hưu)' });
  }
  if (access.can(PERMISSIONS.membersTransfer) && member.status === 'active') {
    items.push({ key: 'transfer', label: 'Chuyển sinh hoạt' });
  }
  if (access.can(PERMISSIONS.cardsOrder) && member.status === 'active') {
    items.push({ key: 'card', label: 'Đề nghị in thẻ' });
  }
  if (write && ['active', 'suspended', 'retired'].includes(member.status)) {
    items.push({ key: 'remove', label: 'Xóa tên', danger: true });
  }
  if (items.length === 0) return null;
  return (
    <>
      <Dropdown trigger={['click']} menu={{ items, onClick: ({ key }) => setAction(key as Action) }}>
        <Button type="primary">Thao tác <DownOutlined aria-hidden /></Button>
      </Dropdown>
      {action === 'correct' && <CorrectDialog member={member} onClose={close} />}
      {action === 'transfer' && <TransferDialog member={member} onClose={close} />}
      {action === 'card' && <CardDialog member={member} onClose={close} />}
      {action && !['correct', 'transfer', 'card'].includes(action) && (
        <ChangeDialog member={member} action={action as SimpleAction} onClose={close} />
      )}
    </>
  );
}

type SimpleAction = 'position' | 'suspend' | 'resume' | 'retire' | 'remove' | 'approve' | 'reject';

const SIMPLE: Record<SimpleAction, { title: string; ok: string; consequence: string; reason: 'required' | 'optional' }> = {
  approve: { title: 'Phê duyệt đoàn viên', ok: 'Phê duyệt', reason: 'optional',
             consequence: 'Đoàn viên được kết nạp và cấp mã đoàn viên. Không thể hoàn tác.' },
  reject: { title: 'Từ chối kết nạp', ok: 'Từ chối', reason: 'required',
            consequence: 'Hồ sơ bị từ chối; lý do được lưu trong lịch sử và đơn vị nhập liệu nhìn thấy.' },
  position: { title: 'Thay đổi chức vụ', ok: 'Lưu', reason: 'optional',
              consequence: 'Chức vụ mới được ghi vào lịch sử của đoàn viên.' },
  suspend: { title: 'Tạm dừng sinh hoạt', ok: 'Tạm dừng', reason: 'required',
             consequence: 'Đoàn viên tạm dừng sinh hoạt đến ngày đã chọn (tối đa 12 tháng) và không phải đóng đoàn phí trong thời gian này.' },
  resume: { title: 'Sinh hoạt trở lại', ok: 'Xác nhận', reason: 'optional',
            consequence: 'Đoàn viên sinh hoạt trở lại từ hôm nay.' },
  retire: { title: 'Thôi sinh hoạt khi nghỉ hưu', ok: 'Xác nhận', reason: 'optional',
            consequence: 'Đoàn viên thôi sinh hoạt; hồ sơ và lịch sử được giữ.' },
  remove: { title: 'Xóa tên đoàn viên', ok: 'Xóa tên', reason: 'required',
            consequence: 'Đoàn viên bị xóa tên khỏi danh sách. Hồ sơ và lịch sử vẫn được lưu, mã đoàn viên không cấp lại cho người khác.' },
};

function ChangeDialog({ member, action, onClose }: { member: Member; action: SimpleAction; onClose: () => void }) {
  const [form] = Form.useForm<{ reason?: string; until?: dayjs.Dayjs; position?: string }>();
  const change = useChangeMember(member.member_id);
  const { message } = App.useApp();
  const text = SIMPLE[action];
  const { onFinish, problem, submitting } = useFormSubmit(form, async (values: {
    reason?: string; until?: dayjs.Dayjs; position?: string;
  }) => {
    const reason = values.reason?.trim() || undefined;
    const body: MemberChange = action === 'approve' || action === 'reject'
      ? { kind: 'decide', decision: action, reason }
      : action === 'position' ? { kind: 'position', position: values.position?.trim() || null, reason }
        : action === 'suspend' ? { kind: 'suspend', until: toApiDate(values.until) as string, reason: reason as string }
          : action === 'remove' ? { kind: 'remove', reason: reason as string }
            : { kind: action, reason };
    await change.mutateAsync(body);
    message.success(`${text.title}: đã thực hiện`);
    onClose();
  });
  return (
    <Modal open title={`${text.title}: ${member.full_name}`} okText={text.ok} onCancel={onClose} onOk={() => form.submit()}
           okButtonProps={{ danger: action === 'remove' || action === 'reject' }} confirmLoading={submitting} destroyOnHidden>
      <Form form={form} layout="vertical" onFinish={onFinish} initialValues={{ position: member.position }}>
        <FormProblem messages={problem} />
        {action === 'position' && (
          <Form.Item name="position" label="Chức vụ công đoàn" extra="Để trống: không giữ chức vụ.">
            <Input maxLength={200} />
          </Form.Item>
        )}
        {action === 'suspend' && (
          <Form.Item name="until" label="Tạm dừng đến ngày" rules={[{ required: true, message: 'Chọn ngày' }]}>
            <DatePicker format={DATE_FORMAT} style={{ width: '100%' }}
                        disabledDate={(d) => d.isBefore(dayjs(), 'day') || d.isAfter(dayjs().add(12, 'month'), 'day')} />
          </Form.Item>
        )}
        <Form.Item name="reason" label="Lý do"
                   rules={text.reason === 'required' ? [{ required: true, min: 3, message: 'Nhập lý do (ít nhất 3 ký tự)' }] : []}>
          <Input.TextArea rows={3} maxLength={500} showCount />
        </Form.Item>
        <Alert type={action === 'remove' || action === 'reject' ? 'warning' : 'info'} showIcon title={text.consequence} />
      </Form>
    </Modal>
  );
}

function CorrectDialog({ member, onClose }: { member: Member; onClose: () => void }) {
  const [form] = Form.useForm<MemberValues & { reason: string }>();
  const change = useChangeMember(member.member_id);
  const { message } = App.useApp();
  const initial = fromMember(member);
  const { onFinish, problem, submitting } = useFormSubmit(form, async ({ reason, ...values }: MemberValues & { reason: string }) => {
    const before = toApi(initial) as Record<string, unknown>;
    const after = toApi(values) as Record<string, unknown>;
    // Only what changed is sent: the history names exactly those fields.
    const changes = Object.fromEntries(Object.entries(after).filter(([key, value]) => before[key] !== value));
    if (Object.keys(changes).length === 0) {
      message.info('Chưa có thông tin nào thay đổi');
      return;
    }
    await change.mutateAsync({ kind: 'correct', changes, reason });
    message.success('Đã sửa thông tin đoàn viên');
    onClose();
  });
  return (
    <Modal open title={`Sửa thông tin: ${member.full_name}`} okText="Lưu" onCancel={onClose} onOk={() => form.submit()}
           confirmLoading={submitting} width={900} destroyOnHidden>
      <Form form={form} layout="vertical" onFinish={onFinish} initialValues={initial} scrollToFirstError>
        <FormProblem messages={problem} />
        <MemberFields sensitiveMasked={member.sensitive_masked} />
        <Form.Item name="reason" label="Lý do sửa" rules={[{ required: true, min: 3, message: 'Nhập lý do (ít nhất 3 ký tự)' }]}>
          <Input maxLength={500} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function TransferDialog({ member, onClose }: { member: Member; onClose: () => void }) {
  const [form] = Form.useForm<{ to_unit_id: string; reason?: string }>();
  const transfer = useRequestTransfer(member.member_id);
  const [done, setDone] = useState<{ transfer_id: string; letter_number: string } | null>(null);
  const { onFinish, problem, submitting } = useFormSubmit(form, async (values: { to_unit_id: string; reason?: string }) => {
    setDone(await transfer.mutateAsync({ to_unit_id: values.to_unit_id, reason: values.reason?.trim() || undefined }));
  });
  if (done) {
    return (
      <Modal open title="Đã giới thiệu chuyển sinh hoạt" onCancel={onClose}
             footer={<Space>
               <Button onClick={() => void download(`/api/v1/members/transfers/${done.transfer_id}/letter.pdf`, {},
                                                    `giay-gioi-thieu-${done.letter_number}.pdf`)}>
                 Tải giấy giới thiệu (PDF)
               </Button>
               <Button type="primary" onClick={onClose}>Đóng</Button>
             </Space>}>
        <Alert type="success" showIcon title={`Giấy giới thiệu số ${done.letter_number}`}
               description="Đơn vị đến sẽ thấy đề nghị trong mục Chuyển sinh hoạt và tiếp nhận đoàn viên. Mã đoàn viên và lịch sử được giữ nguyên." />
      </Modal>
    );
  }
  return (
    <Modal open title={`Chuyển sinh hoạt: ${member.full_name}`} okText="Giới thiệu chuyển" onCancel={onClose}
           onOk={() => form.submit()} confirmLoading={submitting} destroyOnHidden>
      <Form form={form} layout="vertical" onFinish={onFinish}>
        <FormProblem messages={problem} />
        <Form.Item name="to_unit_id" label="Chuyển đến công đoàn cơ sở" rules={[{ required: true, message: 'Chọn đơn vị đến' }]}>
          <UnitPicker nationwide disabledIds={[member.unit_id]} placeholder="Chọn đơn vị đến (tìm theo tên hoặc mã)" />
        </Form.Item>
        <Form.Item name="reason" label="Lý do"><Input.TextArea rows={2} maxLength={500} /></Form.Item>
      </Form>
    </Modal>
  );
}

function CardDialog({ member, onClose }: { member: Member; onClose: () => void }) {
  const [form] = Form.useForm<{ kind: 'regular' | 'linked'; reason: 'new' | 'lost' | 'damaged' }>();
  const cards = useRequestCards();
  const { message } = App.useApp();
  const { onFinish, problem, submitting } = useFormSubmit(form, async (values: {
    kind: 'regular' | 'linked'; reason: 'new' | 'lost' | 'damaged';
  }) => {
    await cards.mutateAsync({ member_ids: [member.member_id], kind: values.kind, reason: values.reason });
    message.success('Đã đề nghị in thẻ');
    onClose();
  });
  return (
    <Modal open title={`Đề nghị in thẻ: ${member.full_name}`} okText="Đề nghị in thẻ" onCancel={onClose}
           onOk={() => form.submit()} confirmLoading={submitting} destroyOnHidden>
      <Form form={form} layout="vertical" onFinish={onFinish}
            initialValues={{ kind: member.card_type ?? 'regular', reason: member.card_status === 'none' ? 'new' : 'lost' }}>
        <FormProblem messages={problem} />
        <Form.Item name="kind" label="Loại thẻ">
          <Select options={Object.entries(CARD_TYPE).map(([value, label]) => ({ value, label }))} />
        </Form.Item>
        <Form.Item name="reason" label="Đề nghị">
          <Select options={[{ value: 'new', label: 'Cấp mới' }, { value: 'lost', label: 'Cấp lại do mất thẻ' },
                            { value: 'damaged', label: 'Cấp lại do hỏng thẻ' }]} />
        </Form.Item>
        <Alert type="info" showIcon title="Cấp lại thẻ sẽ thu hồi thẻ cũ." />
      </Form>
    </Modal>
  );
}
