/**
 * The dialog that creates an account (Người dùng): the roles chosen are on the account's own unit; the API's refusal
 * is shown on the field it names. Loaded when opened (routes/users.tsx): the list's first view is plain HTML.
 */

import { Form, Input, Modal, Select } from 'antd';
import { FormProblem } from '@/components/form-problem';
import { UnitPicker } from '@/components/units/unit-picker';
import { useFormSubmit } from '@/lib/forms';
import { listAsOneField, withFieldNames } from '@/lib/problem';
import { type User, useCreateUser } from '../api/admin';
import { ROLE_OPTIONS } from './labels';

type Values = { username: string; full_name: string; home_unit_id: string; email?: string; phone?: string; roles: string[] };

export default function CreateUserDialog({ unitId, onClose, onCreated }: {
  unitId: string;
  onClose: () => void;
  onCreated: (user: User) => void;
}) {
  const [form] = Form.useForm<Values>();
  const create = useCreateUser();
  const { onFinish, problem, submitting } = useFormSubmit(form, async (values: Values) => {
    try {
      const user = await create.mutateAsync({
        username: values.username?.trim(), full_name: values.full_name?.trim(), home_unit_id: values.home_unit_id,
        email: values.email?.trim() || null, phone: values.phone?.trim() || null,
        // The roles chosen here are on the user's own unit; others are added on the user's page.
        roles: (values.roles ?? []).map((role) => ({ role, unit_id: values.home_unit_id })),
      });
      onClose();
      onCreated(user);
    } catch (error) {
      throw withFieldNames(error, listAsOneField('roles'));
    }
  });
  return (
    <Modal open title="Thêm người dùng" okText="Tạo tài khoản" cancelText="Đóng" onCancel={onClose} onOk={() => form.submit()}
           confirmLoading={submitting} destroyOnHidden>
      <Form form={form} layout="vertical" onFinish={onFinish}
            initialValues={{ home_unit_id: unitId, roles: [], username: '', full_name: '', email: '', phone: '' }}>
        <FormProblem messages={problem} />
        <Form.Item name="full_name" label="Họ và tên"><Input maxLength={200} autoComplete="off" /></Form.Item>
        <Form.Item name="username" label="Tên đăng nhập" extra="Chữ không dấu, số, dấu chấm, gạch; duy nhất toàn quốc.">
          <Input maxLength={64} autoComplete="off" />
        </Form.Item>
        <Form.Item name="home_unit_id" label="Đơn vị công tác"><UnitPicker /></Form.Item>
        <Form.Item name="roles" label="Vai trò tại đơn vị này">
          <Select mode="multiple" showSearch={{ optionFilterProp: 'label' }} options={ROLE_OPTIONS} placeholder="Chọn vai trò (có thể bổ sung sau)" />
        </Form.Item>
        <Form.Item name="email" label="Thư điện tử"><Input type="email" maxLength={200} /></Form.Item>
        <Form.Item name="phone" label="Số điện thoại"><Input type="tel" maxLength={20} /></Form.Item>
      </Form>
    </Modal>
  );
}
