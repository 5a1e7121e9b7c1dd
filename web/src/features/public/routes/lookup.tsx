/** Tra cứu đoàn viên: a member looks up their own record by member code and ID number, without signing in. */

import { Alert, Button, Descriptions, Form, Input } from 'antd';
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { FormProblem } from '@/components/form-problem';
import { useFormSubmit } from '@/lib/forms';
import { lookUp, type PublicMember } from '../api/public';
import { lastCard } from '../components/installable';

type Values = { member_code: string; id_number: string };

export default function LookupPage() {
  const [form] = Form.useForm<Values>();
  const [found, setFound] = useState<PublicMember | null>(null);
  const { onFinish, problem, submitting } = useFormSubmit(form, async (values: Values) => {
    setFound(null);
    setFound(await lookUp(values.member_code.trim(), values.id_number.trim()));
  });
  useEffect(() => {
    document.title = 'Tra cứu đoàn viên';
  }, []);
  return (
    <main className="sign-in">
      <div className="sign-in-card">
        <header className="sign-in-header">
          <img src="/favicon.svg" alt="" width={48} height={48} />
          <h1>Tra cứu thông tin đoàn viên</h1>
        </header>
        <p>Nhập mã đoàn viên (11 chữ số, in trên thẻ) và số CCCD của bạn.</p>
        <Form form={form} layout="vertical" onFinish={onFinish} requiredMark={false}>
          <FormProblem messages={problem} />
          <Form.Item name="member_code" label="Mã đoàn viên" rules={[{ required: true, message: 'Nhập mã đoàn viên' }]}>
            <Input inputMode="numeric" autoComplete="off" maxLength={11} />
          </Form.Item>
          <Form.Item name="id_number" label="Số CCCD/CMND" rules={[{ required: true, message: 'Nhập số CCCD' }]}>
            <Input inputMode="numeric" autoComplete="off" maxLength={20} />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={submitting} block size="large">Tra cứu</Button>
        </Form>
        {found && (
          <Alert type="success" showIcon style={{ marginTop: 16 }} title={found.full_name}
                 description={(
                   <Descriptions size="small" column={1} layout="vertical">
                     <Descriptions.Item label="Công đoàn cơ sở">{found.unit_name}</Descriptions.Item>
                     <Descriptions.Item label="Trạng thái">{found.status_vi}</Descriptions.Item>
                     <Descriptions.Item label="Thẻ đoàn viên">{found.card_status_vi}</Descriptions.Item>
                   </Descriptions>
                 )} />
        )}
        {found && ['printed', 'delivered'].includes(found.card_status) && (
          <p style={{ marginTop: 12 }}>
            {found.card_verification_code
              ? (
                <Link to={`/the-dien-tu/${encodeURIComponent(found.card_verification_code)}`}>
                  Mở thẻ đoàn viên điện tử
                </Link>
              )
              : lastCard()
                ? <Link to="/the-dien-tu">Mở thẻ đoàn viên điện tử đã lưu trên máy này</Link>
                : 'Quét mã QR trên thẻ đoàn viên để mở thẻ điện tử và thêm vào màn hình chính của điện thoại.'}
          </p>
        )}
        <p style={{ marginTop: 16 }}><Link to="/dang-nhap">Cán bộ công đoàn đăng nhập</Link></p>
      </div>
    </main>
  );
}
