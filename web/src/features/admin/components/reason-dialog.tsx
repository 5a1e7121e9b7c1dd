import { Form, Input, Modal } from 'antd';
import type { ReactNode } from 'react';
import { FormProblem } from '@/components/form-problem';
import { useFormSubmit } from '@/lib/forms';

/** A step that needs a reason (disable an account or a client): the API's refusal shows on the field. */
export function ReasonDialog({ title, okText, children, onSubmit, onClose }: {
  title: string;
  okText: string;
  children?: ReactNode;
  onSubmit: (reason: string) => Promise<unknown>;
  onClose: () => void;
}) {
  const [form] = Form.useForm<{ reason: string }>();
  const { onFinish, problem, submitting } = useFormSubmit(form, async (values: { reason: string }) => {
    await onSubmit(values.reason?.trim() ?? '');
    onClose();
  });
  return (
    <Modal open title={title} okText={okText} cancelText="Đóng" okButtonProps={{ danger: true }} confirmLoading={submitting}
           onCancel={onClose} onOk={() => form.submit()} destroyOnHidden>
      {children}
      <Form form={form} layout="vertical" onFinish={onFinish} initialValues={{ reason: '' }}>
        <FormProblem messages={problem} />
        <Form.Item name="reason" label="Lý do"><Input.TextArea rows={3} maxLength={500} /></Form.Item>
      </Form>
    </Modal>
  );
}
