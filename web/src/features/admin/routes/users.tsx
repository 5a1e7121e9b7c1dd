/**
 * Người dùng: the accounts whose home unit is in this unit's subtree, searched by username or name; a new account
 * gets a temporary password, shown once, which its holder must change at the first sign-in.
 * A plain screen (app/layout/shell.tsx): its first view (the toolbar, the rows, the pager) is plain HTML; Ant
 * Design's table takes over after the rows (components/progressive-table.tsx), and the dialogs load when opened.
 */

import { UserAddOutlined } from '@ant-design/icons';
import { lazy, Suspense, useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { CursorPager, useCursorPages } from '@/components/cursor-pager';
import { ProgressiveTable, type TableColumn } from '@/components/progressive-table';
import { UnitName } from '@/components/units/unit-name';
import { WithAntd } from '@/components/with-antd';
import { useDebounced } from '@/lib/use-debounced';
import { type User, type UserSummary, useUsers } from '../api/admin';
import { USER_STATUS } from '../components/labels';

const CreateUserDialog = lazy(() => import('../components/create-user-dialog'));
const SecretOnce = lazy(() => import('../components/secret-once').then((m) => ({ default: m.SecretOnce })));
const ErrorState = lazy(() => import('@/components/query-state').then((m) => ({ default: m.ErrorState })));

export default function UsersPage() {
  const { unitId } = useParams() as { unitId: string };
  const [typed, setTyped] = useState('');
  const [status, setStatus] = useState<'active' | 'disabled' | undefined>();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<User | null>(null);
  const q = useDebounced(typed.trim(), 300);
  const pages = useCursorPages(`${unitId}|${q}|${status}`);
  const users = useUsers({ unit_id: unitId, q: q || undefined, status, after: pages.after });
  useEffect(() => {
    document.title = 'Người dùng — Quản lý đoàn viên';
  }, []);
  const columns: TableColumn<UserSummary>[] = [
    { key: 'full_name', title: 'Họ và tên', width: 220,
      render: (user) => <Link to={`/don-vi/${unitId}/nguoi-dung/${user.user_id}`}>{user.full_name}</Link> },
    { key: 'username', title: 'Tên đăng nhập', width: 180, render: (user) => user.username },
    { key: 'home_unit_id', title: 'Đơn vị', width: 250, render: (user) => <UnitName unitId={user.home_unit_id} /> },
    { key: 'status', title: 'Trạng thái', width: 150,
      render: (user) => <span className={`status-tag ${USER_STATUS[user.status]?.color ?? ''}`}>{USER_STATUS[user.status]?.label ?? user.status}</span> },
  ];

  return (
    <>
      <div className="page-header">
        <h1>Người dùng</h1>
        <button type="button" className="plain-button middle" onClick={() => setCreating(true)}>
          <UserAddOutlined aria-hidden /> Thêm người dùng
        </button>
      </div>
      <div className="toolbar" role="search">
        <input type="search" className="plain-input middle grow" value={typed} maxLength={200}
               placeholder="Tìm theo tên đăng nhập hoặc họ tên" aria-label="Tìm người dùng"
               onChange={(event) => setTyped(event.target.value)} />
        {/* The browser's own list: no Ant Design select before the rows. */}
        <select className="plain-select" aria-label="Lọc theo trạng thái" style={{ width: 200 }} value={status ?? ''}
                onChange={(event) => setStatus((event.target.value || undefined) as typeof status)}>
          <option value="">Mọi trạng thái</option>
          {Object.entries(USER_STATUS).map(([value, s]) => <option key={value} value={value}>{s.label}</option>)}
        </select>
      </div>
      {users.isError ? (
        <WithAntd><ErrorState error={users.error} onRetry={users.refetch} /></WithAntd>
      ) : (
        <ProgressiveTable<UserSummary> caption="Người dùng" columns={columns} rows={users.data?.items}
                                       rowKey={(user) => user.user_id} busy={users.isFetching}
                                       emptyText="Không có người dùng nào" minWidth={800} />
      )}
      <CursorPager pages={pages} next={users.data?.next_cursor} />
      {creating && (
        <WithAntd><CreateUserDialog unitId={unitId} onClose={() => setCreating(false)} onCreated={setCreated} /></WithAntd>
      )}
      {created?.temporary_password && (
        <WithAntd>
          <Suspense fallback={null}>
            <SecretOnce title={`Đã tạo tài khoản ${created.username}`} label="Mật khẩu tạm thời (phải đổi khi đăng nhập lần đầu):"
                        secret={created.temporary_password} onClose={() => setCreated(null)} />
          </Suspense>
        </WithAntd>
      )}
    </>
  );
}
