import { DownOutlined, UserOutlined } from '@ant-design/icons';
import { useNavigate } from 'react-router';
import { PlainMenu } from '@/components/plain-menu';
import { useMe } from '@/lib/access';
import { session } from '@/lib/session';

export function UserMenu() {
  const me = useMe();
  const navigate = useNavigate();
  const name = me.data?.full_name ?? me.data?.username ?? '';
  return (
    <PlainMenu
      className="header-button"
      label={`Tài khoản ${name}`}
      button={<><UserOutlined aria-hidden /> <span className="user-name">{name}</span> <DownOutlined aria-hidden /></>}
      items={[
        { key: 'account', label: 'Tài khoản: mật khẩu, xác thực hai lớp' },
        { key: 'sign-out', label: 'Đăng xuất', dividerBefore: true },
        { key: 'sign-out-everywhere', label: 'Đăng xuất khỏi mọi thiết bị' },
      ]}
      onSelect={(key) => {
        if (key === 'account') navigate('/tai-khoan');
        if (key === 'sign-out') void session.signOut(false);
        if (key === 'sign-out-everywhere') void session.signOut(true);
      }}
    />
  );
}
