import { Alert, Modal, Typography } from 'antd';

/**
 * A password or client secret the API returns once: shown here with a copy button, and never again (identity
 * keeps only its hash), so the dialog says so plainly.
 */
export function SecretOnce({ title, label, secret, extra, onClose }: {
  title: string;
  label: string;
  secret: string;
  extra?: React.ReactNode;
  onClose: () => void;
}) {
  return (
    <Modal open title={title} onCancel={onClose} onOk={onClose} okText="Tôi đã lưu lại" cancelButtonProps={{ style: { display: 'none' } }}
           maskClosable={false} destroyOnHidden>
      <Alert type="warning" showIcon style={{ marginBottom: 12 }}
             title="Chỉ hiển thị một lần" description="Hãy sao chép và chuyển cho người nhận theo kênh an toàn. Đóng hộp thoại này sẽ không xem lại được." />
      {extra}
      <div>{label}</div>
      <Typography.Paragraph copyable={{ text: secret, tooltips: ['Sao chép', 'Đã sao chép'] }}
                            code style={{ fontSize: 16, wordBreak: 'break-all' }} data-testid="secret">
        {secret}
      </Typography.Paragraph>
    </Modal>
  );
}
