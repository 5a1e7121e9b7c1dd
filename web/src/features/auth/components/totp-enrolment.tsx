import { Alert, Button, Form, Input, QRCode, Space, Typography } from 'antd';
import { useState } from 'react';
import { FormProblem } from '@/components/form-problem';
import { useFormSubmit } from '@/lib/forms';

type Enrolment = { secret: string; otpauth_uri: string };

/**
 * Two-factor enrolment: the QR code for an authenticator app (and its key, for typing in), a first code to
 * confirm, then the recovery codes, shown once.
 */
export function TotpEnrolment({
  enrolment,
  confirm,
  onDone,
}: {
  enrolment: Enrolment;
  confirm: (code: string) => Promise<string[]>;
  onDone: () => void;
}) {
  const [form] = Form.useForm<{ code: string }>();
  const [codes, setCodes] = useState<string[] | null>(null);
  const { onFinish, problem, submitting } = useFormSubmit(form, async ({ code }: { code: string }) => {
    setCodes(await confirm(code));
  });

  if (codes) {
    return (
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Alert
          type="success"
          showIcon
          title="Đã bật xác thực hai lớp"
          description="Lưu các mã khôi phục dưới đây ở nơi an toàn. Mỗi mã dùng được một lần, thay cho mã trên điện thoại khi bạn không có điện thoại. Mã chỉ hiện một lần này."
        />
        <Typography.Paragraph copyable={{ text: codes.join('\n'), tooltips: ['Sao chép', 'Đã sao chép'] }}>
          <ul className="recovery-codes" aria-label="Mã khôi phục">
            {codes.map((code) => <li key={code}><code>{code}</code></li>)}
          </ul>
        </Typography.Paragraph>
        <Button type="primary" onClick={onDone} block>Tôi đã lưu các mã, tiếp tục</Button>
      </Space>
    );
  }
  return (
    <Form form={form} layout="vertical" onFinish={onFinish} requiredMark={false}>
      <Typography.Paragraph>
        Mở ứng dụng xác thực (Google Authenticator, Microsoft Authenticator…) trên điện thoại và quét mã QR này.
      </Typography.Paragraph>
      <div style={{ display: 'flex', justifyContent: 'center', marginBottom: 12 }}>
        <QRCode value={enrolment.otpauth_uri} size={184} bordered={false} />
      </div>
      <Typography.Paragraph type="secondary">
        Không quét được? Nhập khóa: <Typography.Text code copyable>{enrolment.secret}</Typography.Text>
      </Typography.Paragraph>
      <FormProblem messages={problem} />
      <Form.Item
        name="code"
        label="Mã 6 chữ số trong ứng dụng"
        rules={[{ required: true, pattern: /^\d{6}$/, message: 'Nhập đúng 6 chữ số' }]}
      >
        <Input inputMode="numeric" autoComplete="one-time-code" maxLength={6} />
      </Form.Item>
      <Button type="primary" htmlType="submit" loading={submitting} block>Xác nhận</Button>
    </Form>
  );
}
