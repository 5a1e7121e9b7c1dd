/**
 * Một người dùng: the account, its roles on units (grant, revoke), and what an administrator does to it: reset the
 * password (a temporary one, shown once), require two-factor sign-in, disable it (its sessions end).
 */

import { DownOutlined, PlusOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Descriptions, Dropdown, Form, Modal, Select, Table, Tag } from 'antd';
import { useEffect, useState } from 'react';
import { useParams } from 'react-router';
import { FormProblem } from '@/components/form-problem';
import { problemMessage, QueryState } from '@/components/query-state';
import { UnitName } from '@/components/units/unit-name';
import { UnitPicker } from '@/components/units/unit-picker';
import { useFormSubmit } from '@/lib/forms';
import { formatDate, formatDateTime } from '@/lib/format';
import { label, ROLE } from '@/lib/labels';
import { type Grant, type User, useUser, useUserAction } from '../api/admin';
import { ROLE_OPTIONS, USER_STATUS } from '../components/labels';
import { ReasonDialog } from '../components/reason-dialog';
import { SecretOnce } from '../components/secret-once';

export default function UserPage() {
  const { unitId, userId } = useParams() as { unitId: string; userId: string };
  const user = useUser(userId);
  useEffect(() => {
    if (user.data) document.title = `${user.data.full_name} — Người dùng`;
  }, [user.data]);
  return (
    <QueryState query={user}>
      {user.data && <UserDetail user={user.data} unitId={unitId} />}
    </QueryState>
  );
}

function UserDetail({ user, unitId }: { user: User; unitId: string }) {
  const step = useUserAction(user.user_id);
  const { message, modal } = App.useApp();
  const [dialog, setDialog] = useState<'grant' | 'disable' | null>(null);
  const [password, setPassword] = useState<string | null>(null);
  const status = USER_STATUS[user.status];
  const active = user.status === 'active';

  const run = async (action: Parameters<typeof step.mutateAsync>[0], done: string) => {
    try {
      const answer = await step.mutateAsync(action);
      if (answer?.temporary_password) setPassword(answer.temporary_password);
      message.success(done);
    } catch (error) {
      message.error(problemMessage(error));
    }
  };

  return (
    <>
      <div className="page-header">
        <h1>{user.full_name} <Tag color={status?.color}>{status?.label ?? user.status}</Tag></h1>
        {active && (
          <Dropdown trigger={['click']} menu={{
            items: [
              { key: 'reset', label: 'Đặt lại mật khẩu' },
              { key: 'totp', label: 'Bắt buộc xác thực hai lớp', disabled: user.totp_enabled || user.totp_enrolment_required },
              { type: 'divider' },
              { key: 'disable', label: 'Vô hiệu hóa tài khoản', danger: true },
            ],
            onClick: ({ key }) => {
              if (key === 'reset') {
                modal.confirm({
                  title: `Đặt lại mật khẩu của ${user.username}?`, okText: 'Đặt lại', cancelText: 'Không',
                  content: 'Hệ thống tạo một mật khẩu tạm thời; mọi phiên đăng nhập của người dùng kết thúc và họ phải đổi mật khẩu khi đăng nhập lại.',
                  onOk: () => run({ action: 'reset-password' }, 'Đã đặt lại mật khẩu'),
                });
              } else if (key === 'totp') {
                modal.confirm({
                  title: 'Bắt buộc xác thực hai lớp?', okText: 'Bắt buộc', cancelText: 'Không',
                  content: 'Lần đăng nhập tới, người dùng phải cài ứng dụng xác thực (mã 6 số) trước khi vào hệ thống.',
                  onOk: () => run({ action: 'require-totp' }, 'Đã bắt buộc xác thực hai lớp'),
                });
              } else {
                setDialog('disable');
              }
            },
          }}>
            <Button>Thao tác <DownOutlined aria-hidden /></Button>
          </Dropdown>
        )}
      </div>
      <Card style={{ marginBottom: 16 }}>
        <Descriptions size="small" column={{ xs: 1, md: 2 }}>
          <Descriptions.Item label="Tên đăng nhập">{user.username}</Descriptions.Item>
          <Descriptions.Item label="Đơn vị công tác"><UnitName unitId={user.home_unit_id} /></Descriptions.Item>
          <Descriptions.Item label="Thư điện tử">{user.email}</Descriptions.Item>
          <Descriptions.Item label="Số điện thoại">{user.phone}</Descriptions.Item>
          <Descriptions.Item label="Xác thực hai lớp">
            {user.totp_enabled ? 'Đã bật' : user.totp_enrolment_required ? 'Bắt buộc ở lần đăng nhập tới' : 'Chưa bật'}
          </Descriptions.Item>
          <Descriptions.Item label="Mật khẩu">{user.must_change_password ? 'Tạm thời, phải đổi khi đăng nhập' : 'Đã đặt'}</Descriptions.Item>
          <Descriptions.Item label="Tạo lúc">{formatDateTime(user.created_at)}</Descriptions.Item>
          {user.locked_until && <Descriptions.Item label="Tạm khóa đến">{formatDateTime(user.locked_until)}</Descriptions.Item>}
        </Descriptions>
      </Card>
      <Card title="Vai trò" extra={active && (
        <Button icon={<PlusOutlined aria-hidden />} onClick={() => setDialog('grant')}>Cấp vai trò</Button>
      )}>
        <Table<Grant>
          rowKey="grant_id" size="small" pagination={false} dataSource={user.grants} scroll={{ x: 640 }}
          locale={{ emptyText: 'Chưa có vai trò nào' }}
          columns={[
            { title: 'Vai trò', dataIndex: 'role', width: 200,
              render: (role, grant) => (
                <>{label(ROLE, role)}{grant.delegation_id ? <Tag style={{ marginInlineStart: 8 }}>Ủy quyền</Tag> : null}</>
              ) },
            { title: 'Đơn vị', dataIndex: 'unit_id', render: (id) => <UnitName unitId={id} /> },
            { title: 'Cấp bởi', dataIndex: 'granted_by', width: 140,
              render: (by, grant) => `${by} · ${formatDate(grant.granted_at)}` },
            { title: '', key: 'revoke', width: 110,
              render: (_, grant) => !grant.delegation_id && active && (
                <Button size="small" danger onClick={() => modal.confirm({
                  title: `Thu hồi vai trò ${label(ROLE, grant.role)}?`, okText: 'Thu hồi', cancelText: 'Không',
                  okButtonProps: { danger: true },
                  onOk: () => run({ action: 'revoke', grant_id: grant.grant_id }, 'Đã thu hồi vai trò'),
                })}>Thu hồi</Button>
              ) },
          ]}
        />
      </Card>
      {dialog === 'grant' && <GrantDialog user={user} unitId={unitId} onClose={() => setDialog(null)} />}
      {dialog === 'disable' && (
        <ReasonDialog title={`Vô hiệu hóa tài khoản ${user.username}`} okText="Vô hiệu hóa" onClose={() => setDialog(null)}
                      onSubmit={async (reason) => {
                        await step.mutateAsync({ action: 'disable', reason });
                        message.success('Đã vô hiệu hóa tài khoản');
                      }}>
          <Alert type="warning" showIcon style={{ marginBottom: 12 }}
                 title="Người dùng không đăng nhập được nữa; các phiên đang mở kết thúc. Tài khoản không bị xóa." />
        </ReasonDialog>
      )}
      {password && (
        <SecretOnce title={`Mật khẩu mới của ${user.username}`} label="Mật khẩu tạm thời (phải đổi khi đăng nhập):"
                    secret={password} onClose={() => setPassword(null)} />
      )}
    </>
  );
}

function GrantDialog({ user, unitId, onClose }: { user: User; unitId: string; onClose: () => void }) {
  const [form] = Form.useForm<{ role: string; unit_id: string }>();
  const step = useUserAction(user.user_id);
  const { message } = App.useApp();
  const { onFinish, problem, submitting } = useFormSubmit(form, async (values: { role: string; unit_id: string }) => {
    await step.mutateAsync({ action: 'grant', role: values.role, unit_id: values.unit_id });
    message.success('Đã cấp vai trò');
    onClose();
  });
  return (
    <Modal open title={`Cấp vai trò cho ${user.full_name}`} okText="Cấp vai trò" cancelText="Đóng" onCancel={onClose}
           onOk={() => form.submit()} confirmLoading={submitting} destroyOnHidden>
      <Form form={form} layout="vertical" onFinish={onFinish} initialValues={{ unit_id: unitId, role: undefined }}>
        <FormProblem messages={problem} />
        <Form.Item name="role" label="Vai trò"><Select showSearch={{ optionFilterProp: 'label' }} options={ROLE_OPTIONS} placeholder="Chọn vai trò" /></Form.Item>
        <Form.Item name="unit_id" label="Trên đơn vị" extra="Vai trò có hiệu lực trên đơn vị này và các đơn vị trực thuộc.">
          <UnitPicker />
        </Form.Item>
      </Form>
    </Modal>
  );
}
