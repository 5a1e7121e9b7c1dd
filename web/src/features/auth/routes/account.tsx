/** Tài khoản: who I am and my roles, change my password, turn on two-factor authentication. */

import { Button, Card, Col, Descriptions, Row, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { ErrorState } from '@/components/query-state';
import { UnitName } from '@/components/units/unit-name';
import { problemMessage } from '@/components/query-state';
import { useMe } from '@/lib/access';
import { formatDateTime } from '@/lib/format';
import { label, ROLE } from '@/lib/labels';
import { signIn, confirmEnrolment, startEnrolment } from '../api/auth';
import { ChangePasswordForm } from '../components/change-password-form';
import { TotpEnrolment } from '../components/totp-enrolment';

export default function AccountPage() {
  const me = useMe();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [enrolment, setEnrolment] = useState<{ secret: string; otpauth_uri: string } | null>(null);
  const [enrolError, setEnrolError] = useState<string | null>(null);
  const [changed, setChanged] = useState(false);

  if (me.isPending) return null;
  if (me.isError) return <ErrorState error={me.error} onRetry={me.refetch} />;
  const user = me.data;

  return (
    <>
      <div className="page-header"><h1>Tài khoản của tôi</h1></div>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <Card title="Thông tin">
            <Descriptions column={1} size="small">
              <Descriptions.Item label="Họ và tên">{user.full_name}</Descriptions.Item>
              <Descriptions.Item label="Tên đăng nhập">{user.username}</Descriptions.Item>
              <Descriptions.Item label="Đơn vị"><UnitName unitId={user.home_unit_id} /></Descriptions.Item>
              <Descriptions.Item label="Vai trò">
                <Space orientation="vertical" size={4}>
                  {user.grants.map((grant) => (
                    <span key={grant.grant_id}>
                      <Tag color={grant.delegation_id ? 'purple' : 'blue'}>{label(ROLE, grant.role)}</Tag>
                      <UnitName unitId={grant.unit_id} />
                      {grant.delegation_id ? <Typography.Text type="secondary"> (được ủy quyền)</Typography.Text> : null}
                    </span>
                  ))}
                </Space>
              </Descriptions.Item>
              <Descriptions.Item label="Tạo lúc">{formatDateTime(user.created_at)}</Descriptions.Item>
            </Descriptions>
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card title="Đổi mật khẩu" style={{ marginBottom: 16 }}>
            {changed && <Typography.Paragraph type="success">Đã đổi mật khẩu.</Typography.Paragraph>}
            <ChangePasswordForm
              onChanged={async (newPassword) => {
                // Changing the password ends every session, this one too: sign in again with the new password.
                await signIn({ username: user.username, password: newPassword });
                setChanged(true);
              }}
            />
          </Card>
          <Card title="Xác thực hai lớp">
            {user.totp_enabled ? (
              <Typography.Paragraph>
                <Tag color="green">Đã bật</Tag> Khi đăng nhập, bạn nhập thêm mã từ ứng dụng xác thực.
              </Typography.Paragraph>
            ) : enrolment ? (
              <TotpEnrolment
                enrolment={enrolment}
                confirm={async (code) => (await confirmEnrolment(code)).recovery_codes}
                onDone={() => {
                  setEnrolment(null);
                  void queryClient.invalidateQueries({ queryKey: ['me'] });
                  navigate('/tai-khoan');
                }}
              />
            ) : (
              <Space orientation="vertical">
                <Typography.Paragraph>
                  Bảo vệ tài khoản bằng mã 6 chữ số trên điện thoại, ngoài mật khẩu.
                </Typography.Paragraph>
                {enrolError && <Typography.Text type="danger">{enrolError}</Typography.Text>}
                <Button type="primary" onClick={async () => {
                  setEnrolError(null);
                  try {
                    setEnrolment(await startEnrolment());
                  } catch (error) {
                    setEnrolError(problemMessage(error));
                  }
                }}>
                  Bật xác thực hai lớp
                </Button>
              </Space>
            )}
          </Card>
        </Col>
      </Row>
    </>
  );
}
