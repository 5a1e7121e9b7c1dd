/**
 * Ứng dụng kết nối: machine clients (banks, provincial systems) owned by units of this subtree, for national
 * administrators. A client's secret is shown once, at creation or rotation; a client is disabled, never deleted.
 */

import { PlusOutlined } from '@ant-design/icons';
import { Alert, App, Button, Form, Input, InputNumber, Modal, Select, Space, Table, Tag } from 'antd';
import { useEffect, useState } from 'react';
import { useParams } from 'react-router';
import { CursorPager, useCursorPages } from '@/components/cursor-pager';
import { FormProblem } from '@/components/form-problem';
import { ErrorState, problemMessage } from '@/components/query-state';
import { UnitName } from '@/components/units/unit-name';
import { UnitPicker } from '@/components/units/unit-picker';
import { useFormSubmit } from '@/lib/forms';
import { formatDateTime } from '@/lib/format';
import { label } from '@/lib/labels';
import { listAsOneField, withFieldNames } from '@/lib/problem';
import {
  type Client, type ClientKind, useClientAction, useClients, useCreateClient, useScopes,
} from '../api/admin';
import { CLIENT_KIND } from '../components/labels';
import { ReasonDialog } from '../components/reason-dialog';
import { SecretOnce } from '../components/secret-once';

type Shown = { clientId: string; secret: string; name: string };

export default function ClientsPage() {
  const { unitId } = useParams() as { unitId: string };
  const pages = useCursorPages(unitId);
  const clients = useClients(unitId, pages.after);
  const [creating, setCreating] = useState(false);
  const [shown, setShown] = useState<Shown | null>(null);
  useEffect(() => {
    document.title = 'Ứng dụng kết nối — Quản lý đoàn viên';
  }, []);
  return (
    <>
      <div className="page-header">
        <h1>Ứng dụng kết nối</h1>
        <Button type="primary" icon={<PlusOutlined aria-hidden />} onClick={() => setCreating(true)}>Thêm ứng dụng</Button>
      </div>
      <p>Hệ thống của ngân hàng, của tỉnh… truy cập API bằng mã ứng dụng và khóa bí mật (OAuth2 client credentials).</p>
      {clients.isError ? <ErrorState error={clients.error} onRetry={clients.refetch} /> : (
        <Table<Client>
          rowKey="client_id" size="middle" loading={clients.isFetching} dataSource={clients.data?.items ?? []}
          pagination={false} scroll={{ x: 1100 }} locale={{ emptyText: 'Chưa có ứng dụng nào' }}
          columns={[
            { title: 'Tên', dataIndex: 'name', width: 220 },
            { title: 'Mã ứng dụng', dataIndex: 'client_id', width: 200 },
            { title: 'Loại', dataIndex: 'kind', width: 150,
              render: (kind, c) => `${label(CLIENT_KIND, kind)}${c.partner_code ? ` · ${c.partner_code}` : ''}` },
            { title: 'Đơn vị', dataIndex: 'unit_id', width: 220, render: (id) => <UnitName unitId={id} /> },
            { title: 'Phạm vi', dataIndex: 'scopes', width: 180, render: (scopes: string[]) => scopes.join(', ') },
            { title: 'Lần lấy token gần nhất', dataIndex: 'last_token_at', width: 160, render: formatDateTime },
            { title: 'Trạng thái', dataIndex: 'status', width: 130,
              render: (s) => <Tag color={s === 'active' ? 'green' : 'default'}>{s === 'active' ? 'Đang hoạt động' : 'Đã vô hiệu hóa'}</Tag> },
            { title: '', key: 'actions', width: 220,
              render: (_, c) => c.status === 'active' && (
                <ClientActions client={c} onSecret={(secret) => setShown({ clientId: c.client_id, secret, name: c.name })} />
              ) },
          ]}
        />
      )}
      <CursorPager pages={pages} next={clients.data?.next_cursor} />
      {creating && (
        <CreateClientDialog unitId={unitId} onClose={() => setCreating(false)}
                            onCreated={(c) => setShown({ clientId: c.client_id, secret: c.client_secret, name: c.name })} />
      )}
      {shown && (
        <SecretOnce title={`Khóa bí mật của ${shown.name}`} label="Khóa bí mật (client_secret):" secret={shown.secret}
                    extra={<p>Mã ứng dụng (client_id): <code>{shown.clientId}</code></p>}
                    onClose={() => setShown(null)} />
      )}
    </>
  );
}

function ClientActions({ client, onSecret }: { client: Client; onSecret: (secret: string) => void }) {
  const step = useClientAction(client.client_id);
  const { message, modal } = App.useApp();
  const [disabling, setDisabling] = useState(false);
  return (
    <Space wrap>
      <Button size="small" onClick={() => modal.confirm({
        title: `Cấp khóa bí mật mới cho ${client.name}?`, okText: 'Cấp khóa mới', cancelText: 'Không',
        content: 'Khóa cũ ngừng hoạt động ngay; hệ thống đối tác phải dùng khóa mới.',
        onOk: async () => {
          try {
            const answer = await step.mutateAsync({ action: 'rotate' });
            if (answer.client_secret) onSecret(answer.client_secret);
          } catch (error) {
            message.error(problemMessage(error));
          }
        },
      })}>Cấp khóa mới</Button>
      <Button size="small" danger onClick={() => setDisabling(true)}>Vô hiệu hóa</Button>
      {disabling && (
        <ReasonDialog title={`Vô hiệu hóa ${client.name}`} okText="Vô hiệu hóa" onClose={() => setDisabling(false)}
                      onSubmit={async (reason) => {
                        await step.mutateAsync({ action: 'disable', reason });
                        message.success('Đã vô hiệu hóa ứng dụng');
                      }}>
          <Alert type="warning" showIcon style={{ marginBottom: 12 }} title="Ứng dụng không lấy được token mới; không thể xóa." />
        </ReasonDialog>
      )}
    </Space>
  );
}

type Values = { name: string; kind: ClientKind; unit_id: string; partner_code?: string; scopes: string[]; rate_limit_per_minute: number };

function CreateClientDialog({ unitId, onClose, onCreated }: {
  unitId: string;
  onClose: () => void;
  onCreated: (client: Client & { client_secret: string }) => void;
}) {
  const [form] = Form.useForm<Values>();
  const scopes = useScopes();
  const create = useCreateClient();
  const kind = Form.useWatch('kind', form);
  const { onFinish, problem, submitting } = useFormSubmit(form, async (values: Values) => {
    try {
      const client = await create.mutateAsync({
        name: values.name?.trim(), kind: values.kind, unit_id: values.unit_id, scopes: values.scopes ?? [],
        partner_code: values.partner_code?.trim() || null, rate_limit_per_minute: values.rate_limit_per_minute,
      });
      onClose();
      onCreated(client);
    } catch (error) {
      throw withFieldNames(error, listAsOneField('scopes'));
    }
  });
  return (
    <Modal open title="Thêm ứng dụng kết nối" okText="Tạo ứng dụng" cancelText="Đóng" onCancel={onClose}
           onOk={() => form.submit()} confirmLoading={submitting} destroyOnHidden>
      <Form form={form} layout="vertical" onFinish={onFinish}
            initialValues={{ name: '', kind: 'provincial_app', unit_id: unitId, scopes: [], rate_limit_per_minute: 60, partner_code: '' }}>
        <FormProblem messages={problem} />
        <Form.Item name="name" label="Tên ứng dụng"><Input maxLength={200} placeholder="Ví dụ: Vietinbank – phát hành thẻ liên kết" /></Form.Item>
        <Form.Item name="kind" label="Loại">
          <Select options={Object.entries(CLIENT_KIND).map(([value, text]) => ({ value, label: text }))} />
        </Form.Item>
        {kind === 'bank' && (
          <Form.Item name="partner_code" label="Mã ngân hàng" extra="Ví dụ: VCB, CTG"><Input maxLength={16} /></Form.Item>
        )}
        <Form.Item name="unit_id" label="Đơn vị sở hữu" extra="Ứng dụng chỉ thấy dữ liệu của đơn vị này và các đơn vị trực thuộc.">
          <UnitPicker />
        </Form.Item>
        <Form.Item name="scopes" label="Phạm vi truy cập">
          <Select mode="multiple" showSearch={{ optionFilterProp: 'label' }} placeholder="Chọn phạm vi" loading={scopes.isPending}
                  options={(scopes.data ?? []).map((s) => ({ value: s.name, label: `${s.name} — ${s.description_vi}` }))} />
        </Form.Item>
        <Form.Item name="rate_limit_per_minute" label="Giới hạn yêu cầu mỗi phút">
          <InputNumber min={1} max={10000} style={{ width: '100%' }} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
