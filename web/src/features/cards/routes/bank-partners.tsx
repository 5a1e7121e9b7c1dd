/**
 * Ngân hàng đối tác, for national administrators: how each bank receives its linked cards (its signed webhook and its
 * own Kafka topic, each with the feed position delivered so far), the webhook deliveries the bank did not
 * acknowledge after every retry (parked), sent again one at a time, and the feed delivered again from a position.
 */

import { Alert, App, Button, Card, Descriptions, Empty, Form, InputNumber, Modal, Select, Space, Table, Tag } from 'antd';
import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';
import { CursorPager, useCursorPages } from '@/components/cursor-pager';
import { FormProblem } from '@/components/form-problem';
import { ErrorState, problemMessage, QueryState } from '@/components/query-state';
import { useFormSubmit } from '@/lib/forms';
import { formatDateTime, formatNumber } from '@/lib/format';
import {
  type ParkedDelivery, type ParkedState, useDeliveryAction, useParked, usePartners, usePartnerTopic, useWebhook,
} from '../api/cards';

const PARKED_STATE: Record<string, { label: string; color: string }> = {
  parked: { label: 'Tạm giữ', color: 'red' },
  retrying: { label: 'Đang gửi lại', color: 'blue' },
  delivered: { label: 'Đã gửi được', color: 'green' },
};

type Channel = 'webhook' | 'topic';

export default function BankPartnersPage() {
  const partners = usePartners();
  // The bank chosen is in the address (`?ngan-hang=CTG`): a reload or a shared link shows the same bank.
  const [params, setParams] = useSearchParams();
  const chosen = params.get('ngan-hang') ?? undefined;
  const choose = (code: string) => setParams({ 'ngan-hang': code }, { replace: true });
  useEffect(() => {
    document.title = 'Ngân hàng đối tác — Quản lý đoàn viên';
  }, []);
  const partner = chosen ?? partners.data?.find((p) => p.status === 'active')?.partner_code;
  return (
    <>
      <div className="page-header"><h1>Ngân hàng đối tác</h1></div>
      <QueryState query={partners} isEmpty={partners.data?.length === 0}>
        <div className="toolbar">
          <Select aria-label="Chọn ngân hàng" style={{ width: 320, maxWidth: '100%' }} value={partner} onChange={choose}
                  showSearch={{ optionFilterProp: 'label' }}
                  options={(partners.data ?? []).map((p) => ({
                    value: p.partner_code, label: `${p.name} (${p.partner_code})${p.status === 'active' ? '' : ' · ngừng'}`,
                  }))} />
        </div>
        {partner && <Partner key={partner} partner={partner} />}
      </QueryState>
    </>
  );
}

function Partner({ partner }: { partner: string }) {
  const webhook = useWebhook(partner);
  const topic = usePartnerTopic(partner);
  const [replaying, setReplaying] = useState<Channel | null>(null);
  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <Card title="Webhook có chữ ký" extra={webhook.data && (
        <Button onClick={() => setReplaying('webhook')}>Gửi lại từ vị trí…</Button>
      )}>
        <QueryState query={webhook}>
          {webhook.data === null ? <Empty description="Ngân hàng chưa đăng ký webhook" /> : webhook.data && (
            <Descriptions size="small" column={{ xs: 1, md: 2 }}>
              <Descriptions.Item label="Địa chỉ nhận"><span className="wrap-anywhere">{webhook.data.url}</span></Descriptions.Item>
              <Descriptions.Item label="Trạng thái">
                <Tag color={webhook.data.active ? 'green' : 'default'}>{webhook.data.active ? 'Đang gửi' : 'Tạm dừng'}</Tag>
              </Descriptions.Item>
              <Descriptions.Item label="Đã gửi đến vị trí">{formatNumber(webhook.data.position)}</Descriptions.Item>
              <Descriptions.Item label="Đang tạm giữ">{formatNumber(webhook.data.parked)}</Descriptions.Item>
              <Descriptions.Item label="Cập nhật">
                {formatDateTime(webhook.data.updated_at)} · {webhook.data.updated_by}
              </Descriptions.Item>
            </Descriptions>
          )}
        </QueryState>
      </Card>
      <Card title="Kênh Kafka riêng" extra={topic.data && (
        <Button onClick={() => setReplaying('topic')}>Phát lại từ vị trí…</Button>
      )}>
        <QueryState query={topic}>
          {topic.data === null ? <Empty description="Ngân hàng chưa có kênh Kafka riêng" /> : topic.data && (
            <Descriptions size="small" column={{ xs: 1, md: 2 }}>
              <Descriptions.Item label="Kênh">{topic.data.topic}</Descriptions.Item>
              <Descriptions.Item label="Trạng thái">
                <Tag color={topic.data.active ? 'green' : 'default'}>{topic.data.active ? 'Đang phát' : 'Tạm dừng'}</Tag>
              </Descriptions.Item>
              <Descriptions.Item label="Đã phát đến vị trí">{formatNumber(topic.data.position)}</Descriptions.Item>
              <Descriptions.Item label="Sẵn sàng từ">{formatDateTime(topic.data.topic_ready_at) || 'Chưa tạo kênh'}</Descriptions.Item>
              <Descriptions.Item label="Cập nhật">{formatDateTime(topic.data.updated_at)} · {topic.data.updated_by}</Descriptions.Item>
            </Descriptions>
          )}
        </QueryState>
      </Card>
      {webhook.data && (
        <Card title="Các lần gửi webhook bị tạm giữ"><Parked partner={partner} /></Card>
      )}
      {replaying && (
        <ReplayDialog partner={partner} channel={replaying}
                      position={(replaying === 'webhook' ? webhook.data?.position : topic.data?.position) ?? 0}
                      onClose={() => setReplaying(null)} />
      )}
    </Space>
  );
}

function Parked({ partner }: { partner: string }) {
  const [state, setState] = useState<ParkedState | undefined>();
  const pages = useCursorPages(`${partner}|${state}`);
  const parked = useParked(partner, state, pages.after, true);
  const act = useDeliveryAction(partner);
  const { message, modal } = App.useApp();
  const retry = (row: ParkedDelivery) => modal.confirm({
    title: `Gửi lại bước ở vị trí ${row.position}?`, okText: 'Gửi lại', cancelText: 'Không',
    content: 'Bước này được gửi lại cho ngân hàng ở lượt gửi tới, trước các bước mới.',
    onOk: () => act.mutateAsync({ action: 'retry', position: row.position })
      .then(() => { message.success(`Đã yêu cầu gửi lại vị trí ${row.position}`); })
      .catch((error) => { message.error(problemMessage(error)); }),
  });
  return (
    <>
      <div className="toolbar">
        <Select allowClear placeholder="Đang chờ (tạm giữ, đang gửi lại)" aria-label="Lọc theo trạng thái gửi"
                style={{ width: 280, maxWidth: '100%' }} value={state} onChange={setState}
                options={Object.entries(PARKED_STATE).map(([value, s]) => ({ value, label: s.label }))} />
      </div>
      {parked.isError ? <ErrorState error={parked.error} onRetry={parked.refetch} /> : (
        <Table<ParkedDelivery>
          rowKey="position" size="middle" loading={parked.isFetching} dataSource={parked.data?.items ?? []}
          pagination={false} scroll={{ x: 900 }} locale={{ emptyText: 'Không có lần gửi nào bị tạm giữ' }}
          columns={[
            { title: 'Vị trí', dataIndex: 'position', width: 90, render: formatNumber },
            { title: 'Trạng thái', dataIndex: 'state', width: 130,
              render: (s) => <Tag color={PARKED_STATE[s]?.color}>{PARKED_STATE[s]?.label ?? s}</Tag> },
            { title: 'Số lần thử', dataIndex: 'attempts', width: 100, render: formatNumber },
            { title: 'Lỗi gần nhất', dataIndex: 'last_error' },
            { title: 'Tạm giữ lúc', dataIndex: 'parked_at', width: 150, render: formatDateTime },
            { title: 'Mã sự kiện', dataIndex: 'event_id', width: 160, ellipsis: true },
            { title: '', key: 'retry', width: 100,
              render: (_, row) => row.state === 'parked' && (
                <Button size="small" onClick={() => retry(row)}>Gửi lại</Button>
              ) },
          ]}
        />
      )}
      <CursorPager pages={pages} next={parked.data?.next_cursor} />
    </>
  );
}

function ReplayDialog({ partner, channel, position, onClose }: {
  partner: string; channel: Channel; position: number; onClose: () => void;
}) {
  const [form] = Form.useForm<{ after: number }>();
  const act = useDeliveryAction(partner);
  const { message } = App.useApp();
  const what = channel === 'webhook' ? 'webhook' : 'kênh Kafka';
  const { onFinish, problem, submitting } = useFormSubmit(form, async ({ after }: { after: number }) => {
    await act.mutateAsync({ action: 'replay', channel, after });
    message.success(`Đã đặt gửi lại ${what} từ sau vị trí ${formatNumber(after)}`);
    onClose();
  });
  return (
    <Modal open title={`Gửi lại ${what} của ${partner} từ một vị trí`} okText="Gửi lại" cancelText="Không"
           okButtonProps={{ danger: true }} onCancel={onClose} onOk={() => form.submit()} confirmLoading={submitting}
           destroyOnHidden>
      <Form form={form} layout="vertical" onFinish={onFinish} initialValues={{ after: position }}>
        <FormProblem messages={problem} />
        <Form.Item name="after" label="Gửi lại các bước sau vị trí" extra="0: từ đầu luồng phát hành."
                   rules={[{ required: true, message: 'Nhập vị trí' }]}>
          <InputNumber min={0} precision={0} style={{ width: '100%' }} />
        </Form.Item>
        <Alert type="warning" showIcon
               title={`Ngân hàng sẽ nhận lại mọi bước sau vị trí này (hiện đã gửi đến vị trí ${formatNumber(position)}); ngân hàng bỏ qua bước đã có theo mã sự kiện.`} />
      </Form>
    </Modal>
  );
}
