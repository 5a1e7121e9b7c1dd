/**
 * Người dùng: the accounts whose home unit is in this unit's subtree, searched by username or name; a new account
 * gets a temporary password, shown once, which its holder must change at the first sign-in.
 */

import { UserAddOutlined } from '@ant-design/icons';
import { Button, Form, Input, Modal, Select, Table, Tag } from 'antd';
import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { CursorPager, useCursorPages } from '@/components/cursor-pager';
import { FormProblem } from '@/components/form-problem';
import { ErrorState } from '@/components/query-state';
import { UnitName } from '@/components/units/unit-name';
import { UnitPicker } from '@/components/units/unit-picker';
import { useFormSubmit } from '@/lib/forms';
import { listAsOneField, withFieldNames } from '@/lib/problem';
import { useDebounced } from '@/lib/use-debounced';
import { type User, type UserSummary, useCreateUser, useUsers } from '../api/admin';
import { ROLE_OPTIONS, USER_STATUS } from '../components/labels';
import { SecretOnce } from '../components/secret-once';

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

  return (
    <>
      <div className="page-header">
        <h1>Người dùng</h1>
        <Button type="primary" icon={<UserAddOutlined aria-hidden />} onClick={() => setCreating(true)}>Thêm người dùng</Button>
      </div>
      <div className="toolbar">
        <Input.Search className="grow" allowClear placeholder="Tìm theo tên đăng nhập hoặc họ tên"
                      aria-label="Tìm người dùng" value={typed} onChange={(e) => setTyped(e.target.value)} />
        <Select allowClear placeholder="Trạng thái" aria-label="Lọc theo trạng thái" style={{ width: 200 }} value={status}
                onChange={setStatus}
                options={Object.entries(USER_STATUS).map(([value, s]) => ({ value, label: s.label }))} />
      </div>
      {users.isError ? <ErrorState error={users.error} onRetry={users.refetch} /> : (
        <Table<UserSummary>
          rowKey="user_id" size="middle" loading={users.isFetching} dataSource={users.data?.items ?? []}
          pagination={false} scroll={{ x: 800 }} locale={{ emptyText: 'Không có người dùng nào' }}
          columns={[
            { title: 'Họ và tên', dataIndex: 'full_name', width: 220,
              render: (name, user) => <Link to={`/don-vi/${unitId}/nguoi-dung/${user.user_id}`}>{name}</Link> },
            { title: 'Tên đăng nhập', dataIndex: 'username', width: 180 },
            { title: 'Đơn vị', dataIndex: 'home_unit_id', render: (id) => <UnitName unitId={id} /> },
            { title: 'Trạng thái', dataIndex: 'status', width: 150,
              render: (s) => <Tag color={USER_STATUS[s]?.color}>{USER_STATUS[s]?.label ?? s}</Tag> },
          ]}
        />
      )}
      <CursorPager pages={pages} next={users.data?.next_cursor} />
      {creating && <CreateUserDialog unitId={unitId} onClose={() => setCreating(false)} onCreated={setCreated} />}
      {created?.temporary_password && (
        <SecretOnce title={`Đã tạo tài khoản ${created.username}`} label="Mật khẩu tạm thời (phải đổi khi đăng nhập lần đầu):"
                    secret={created.temporary_password} onClose={() => setCreated(null)} />
      )}
    </>
  );
}

type Values = { username: string; full_name: string; home_unit_id: string; email?: string; phone?: string; roles: string[] };

function CreateUserDialog({ unitId, onClose, onCreated }: {
  unitId: string;
  onClose: () => void;
  onCreated: (user: User) => void;
}) {
  const [form] = Form.useForm<Values>();
  const create = useCreateUser();
  const { onFinish, problem, submitting } = useFormSubmit(form, async (values: Values) => {
    try {
      const user = await create.mutateAsync({
        username: values.username?.trim(), full_name: values.full_name?.trim(), home_unit_id: values.home_unit_id,
        email: values.email?.trim() || null, phone: values.phone?.trim() || null,
        // The roles chosen here are on the user's own unit; others are added on the user's page.
        roles: (values.roles ?? []).map((role) => ({ role, unit_id: values.home_unit_id })),
      });
      onClose();
      onCreated(user);
    } catch (error) {
      throw withFieldNames(error, listAsOneField('roles'));
    }
  });
  return (
    <Modal open title="Thêm người dùng" okText="Tạo tài khoản" cancelText="Đóng" onCancel={onClose} onOk={() => form.submit()}
           confirmLoading={submitting} destroyOnHidden>
      <Form form={form} layout="vertical" onFinish={onFinish}
            initialValues={{ home_unit_id: unitId, roles: [], username: '', full_name: '', email: '', phone: '' }}>
        <FormProblem messages={problem} />
        <Form.Item name="full_name" label="Họ và tên"><Input maxLength={200} autoComplete="off" /></Form.Item>
        <Form.Item name="username" label="Tên đăng nhập" extra="Chữ không dấu, số, dấu chấm, gạch; duy nhất toàn quốc.">
          <Input maxLength={64} autoComplete="off" />
        </Form.Item>
        <Form.Item name="home_unit_id" label="Đơn vị công tác"><UnitPicker /></Form.Item>
        <Form.Item name="roles" label="Vai trò tại đơn vị này">
          <Select mode="multiple" showSearch={{ optionFilterProp: 'label' }} options={ROLE_OPTIONS} placeholder="Chọn vai trò (có thể bổ sung sau)" />
        </Form.Item>
        <Form.Item name="email" label="Thư điện tử"><Input type="email" maxLength={200} /></Form.Item>
        <Form.Item name="phone" label="Số điện thoại"><Input type="tel" maxLength={20} /></Form.Item>
      </Form>
    </Modal>
  );
}
