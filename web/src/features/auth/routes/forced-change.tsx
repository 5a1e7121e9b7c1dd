/** A session that must change its password first (after a reload mid-way): nothing else until it is done. */

import { App as AntApp, Card, Typography } from 'antd';
import { useNavigate } from 'react-router';
import { useMe } from '@/lib/access';
import { session } from '@/lib/session';
import { signIn } from '../api/auth';
import { ChangePasswordForm } from '../components/change-password-form';

export default function ForcedChangePage() {
  const me = useMe();
  const navigate = useNavigate();
  return (
    <AntApp>
    <main className="sign-in">
      <Card className="sign-in-card">
        <Typography.Title level={1} style={{ fontSize: 20 }}>Đổi mật khẩu</Typography.Title>
        <Typography.Paragraph>
          Bạn cần đặt mật khẩu của riêng mình trước khi tiếp tục.
        </Typography.Paragraph>
        <ChangePasswordForm
          submitText="Đổi mật khẩu và tiếp tục"
          onChanged={async (newPassword) => {
            if (me.data) await signIn({ username: me.data.username, password: newPassword });
            else await session.signOut();
            navigate('/', { replace: true });
          }}
        />
      </Card>
    </main>
    </AntApp>
  );
}
