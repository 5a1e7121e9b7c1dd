import { DownOutlined, UserOutlined } from '@ant-design/icons';
import { Button, Dropdown } from 'antd';
import { useNavigate } from 'react-router';
import { useMe } from '@/lib/access';
import { session } from '@/lib/session';

export function UserMenu() {
  const me = useMe();
  const navigate = useNavigate();
  const name = me.data?.full_name ?? me.data?.username ?? '';
  return (
    <Dropdown
      trigger={['click']}
      menu={{
        items: [
          { key: 'account', label: 'Tài khoản: mật khẩu, xác thực hai lớp' },
          { type: 'divider' },
          { key: 'sign-out', label: 'Đăng xuất' },
          { key: 'sign-out-everywhere', label: 'Đăng xuất khỏi mọi thiết bị' },
        ],
        onClick: ({ key }) => {
          if (key === 'account') navigate('/tai-khoan');
          if (key === 'sign-out') void session.signOut(false);
          if (key === 'sign-out-everywhere') void session.signOut(true);
        },
      }}
    >
      <Button type="text" aria-label={`Tài khoản ${name}`} icon={<UserOutlined aria-hidden />}>
        <span className="user-name">{name}</span> <DownOutlined aria-hidden />
      </Button>
    </Dropdown>
  );
}
