import { Button, Form, Input } from 'antd';
import { FormProblem } from '@/components/form-problem';
import { useFormSubmit } from '@/lib/forms';
import { changePassword } from '../api/auth';

type Values = { current_password: string; new_password: string; confirm: string };

/** Change the password (also the forced change at first sign-in). Calls `onChanged` with the new password. */
export function ChangePasswordForm({
  currentPassword,
  onChanged,
  submitText = 'Đổi mật khẩu',
}: {
  /** Known already (the forced change right after signing in): the field is not asked again. */
  currentPassword?: string;
  onChanged: (newPassword: string) => void | Promise<void>;
  submitText?: string;
}) {
  const [form] = Form.useForm<Values>();
  const { onFinish, problem, submitting } = useFormSubmit(form, async (values: Values) => {
    await changePassword(currentPassword ?? values.current_password, values.new_password);
    await onChanged(values.new_password);
  });
  return (
    <Form form={form} layout="vertical" onFinish={onFinish} requiredMark={false}>
      <FormProblem messages={problem} />
      {currentPassword === undefined && (
        <Form.Item name="current_password" label="Mật khẩu hiện tại" rules={[{ required: true, message: 'Nhập mật khẩu hiện tại' }]}>
          <Input.Password autoComplete="current-password" />
        </Form.Item>
      )}
      <Form.Item
        name="new_password"
        label="Mật khẩu mới"
        extra="Ít nhất 10 ký tự, có chữ và số, không chứa tên đăng nhập."
        rules={[{ required: true, message: 'Nhập mật khẩu mới' }]}
      >
        <Input.Password autoComplete="new-password" />
      </Form.Item>
      <Form.Item
        name="confirm"
        label="Nhập lại mật khẩu mới"
        dependencies={['new_password']}
        rules={[
          { required: true, message: 'Nhập lại mật khẩu mới' },
          ({ getFieldValue }) => ({
            validator: (_, value) =>
              !value || value === getFieldValue('new_password')
                ? Promise.resolve()
                : Promise.reject(new Error('Hai mật khẩu không giống nhau')),
          }),
        ]}
      >
        <Input.Password autoComplete="new-password" />
      </Form.Item>
      <Button type="primary" htmlType="submit" loading={submitting} block>
        {submitText}
      </Button>
    </Form>
  );
}
