/**
 * Thẻ đoàn viên: the unit's cards by status, and its print orders (đơn đặt in): a unit whose type may order gathers
 * the requested cards of its subtree into an order (regular cards for the national print centre, linked cards for
 * the bank). Cards are requested from the members list or a member's page.
 */

import { PlusOutlined } from '@ant-design/icons';
import { Alert, App, Button, Checkbox, Form, Input, Modal, Select, Table, Tabs, Tag } from 'antd';
import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { CursorPager, useCursorPages } from '@/components/cursor-pager';
import { FormProblem } from '@/components/form-problem';
import { ErrorState, problemMessage } from '@/components/query-state';
import { UnitName } from '@/components/units/unit-name';
import { PERMISSIONS, useAccess } from '@/lib/access';
import { useFormSubmit } from '@/lib/forms';
import { formatDate, formatDateTime, formatNumber } from '@/lib/format';
import { CARD_STATUS, CARD_TYPE, label } from '@/lib/labels';
import {
  type Card, type CardKind, type CardStatus, type PrintOrder, useCards, useHandOver, useOrderPreview, usePlaceOrder,
  usePrintOrders,
} from '../api/cards';
import { useFeeSchedules } from '../api/fees';
import { perCard } from '../components/fee-breakdown';
import { WithheldSteps } from '../components/withheld-steps';

const ORDER_STATUS: Record<string, string> = { placed: 'blue', printed: 'green', cancelled: 'default' };

export default function CardsPage() {
  const { unitId } = useParams() as { unitId: string };
  const access = useAccess(unitId);
  useEffect(() => {
    document.title = 'Thẻ đoàn viên — Quản lý đoàn viên';
  }, []);
  return (
    <>
      <div className="page-header"><h1>Thẻ đoàn viên</h1></div>
      <Tabs items={[
        { key: 'orders', label: 'Đơn đặt in', children: <Orders unitId={unitId} canOrder={access.can(PERMISSIONS.cardsOrder)} /> },
        { key: 'cards', label: 'Thẻ của đơn vị', children: <Cards unitId={unitId} canOrder={access.can(PERMISSIONS.cardsOrder)} /> },
        { key: 'withheld', label: 'Chưa gửi ngân hàng', children: <WithheldSteps unitId={unitId} /> },
      ]} />
    </>
  );
}

/** Today in Hà Nội (UTC+7 all year), as the API's dates are written. */
function todayInVietnam(): string {
  return new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);
}

function Cards({ unitId, canOrder }: { unitId: string; canOrder: boolean }) {
  const { message, modal } = App.useApp();
  const handOver = useHandOver();
  const [status, setStatus] = useState<CardStatus | undefined>();
  const [kind, setKind] = useState<CardKind | undefined>();
  const pages = useCursorPages(`${unitId}|${status}|${kind}`);
  const cards = useCards(unitId, status, kind, pages.after);
  return (
    <>
      <div className="toolbar">
        <Select allowClear placeholder="Trạng thái thẻ" aria-label="Lọc theo trạng thái thẻ" style={{ width: 200 }}
                value={status} onChange={setStatus}
                options={['requested', 'ordered', 'printed', 'delivered', 'cancelled', 'revoked'].map((s) => ({
                  value: s, label: label(CARD_STATUS, s) }))} />
        <Select allowClear placeholder="Loại thẻ" aria-label="Lọc theo loại thẻ" style={{ width: 220 }}
                value={kind} onChange={setKind}
                options={Object.entries(CARD_TYPE).map(([value, text]) => ({ value, label: text }))} />
      </div>
      {cards.isError ? <ErrorState error={cards.error} onRetry={cards.refetch} /> : (
        <Table<Card>
          rowKey="card_id" size="middle" loading={cards.isFetching} dataSource={cards.data?.items ?? []}
          pagination={false} scroll={{ x: 1060 }} locale={{ emptyText: 'Chưa có thẻ nào' }}
          columns={[
            { title: 'Đoàn viên', dataIndex: 'full_name',
              render: (name, card) => <Link to={`/don-vi/${unitId}/doan-vien/${card.member_id}`}>{name}</Link> },
            { title: 'Mã đoàn viên', dataIndex: 'member_code', width: 140 },
            { title: 'Số thẻ', dataIndex: 'card_number', width: 130 },
            { title: 'Loại', dataIndex: 'kind', width: 190, render: (k) => label(CARD_TYPE, k) },
            { title: 'Trạng thái', dataIndex: 'status_vi', width: 150 },
            { title: 'Đơn vị', dataIndex: 'unit_id', render: (id) => <UnitName unitId={id} /> },
            { title: 'Trao cho đoàn viên', dataIndex: 'handed_over_on', width: 160,
              render: (on, card) => on ? formatDate(on) : card.status === 'delivered' && canOrder && (
                <Button size="small" onClick={() => modal.confirm({
                  title: `Ghi nhận đã trao thẻ cho ${card.full_name} hôm nay?`, okText: 'Đã trao', cancelText: 'Không',
                  onOk: () => handOver.mutateAsync({ cardId: card.card_id, on: todayInVietnam() })
                    .then(() => { message.success('Đã ghi nhận trao thẻ'); })
                    .catch((e) => { message.error(problemMessage(e)); }),
                })}>Trao thẻ</Button>
              ) },
          ]}
        />
      )}
      <CursorPager pages={pages} next={cards.data?.next_cursor} />
    </>
  );
}

function Orders({ unitId, canOrder }: { unitId: string; canOrder: boolean }) {
  const pages = useCursorPages(unitId);
  const orders = usePrintOrders(unitId, pages.after);
  const [placing, setPlacing] = useState(false);
  return (
    <>
      {canOrder && (
        <div className="toolbar">
          <Button type="primary" icon={<PlusOutlined aria-hidden />} onClick={() => setPlacing(true)}>Lập đơn đặt in</Button>
        </div>
      )}
      {orders.isError ? <ErrorState error={orders.error} onRetry={orders.refetch} /> : (
        <Table<PrintOrder>
          rowKey="order_id" size="middle" loading={orders.isFetching} dataSource={orders.data?.items ?? []}
          pagination={false} scroll={{ x: 900 }} locale={{ emptyText: 'Chưa có đơn đặt in nào' }}
          columns={[
            { title: 'Số đơn', dataIndex: 'order_number', width: 160,
              render: (number, order) => <Link to={`/don-vi/${unitId}/the/don/${order.order_id}`}>{number}</Link> },
            { title: 'Loại thẻ', dataIndex: 'kind', width: 190, render: (k) => label(CARD_TYPE, k) },
            { title: 'Số thẻ', dataIndex: 'card_count', width: 90, align: 'right', render: formatNumber },
            { title: 'Thành tiền (đồng)', dataIndex: 'total_vnd', width: 150, align: 'right', render: formatNumber },
            { title: 'Nơi in', dataIndex: 'supplier' },
            { title: 'Lập lúc', dataIndex: 'placed_at', width: 150, render: formatDateTime },
            { title: 'Trạng thái', dataIndex: 'status_vi', width: 130,
              render: (text, order) => <Tag color={ORDER_STATUS[order.status]}>{text}</Tag> },
          ]}
        />
      )}
      <CursorPager pages={pages} next={orders.data?.next_cursor} />
      {placing && <PlaceOrderDialog unitId={unitId} onClose={() => setPlacing(false)} />}
    </>
  );
}

type PlaceOrderValues = { kind: CardKind; note?: string; include_without_photo: boolean };

function PlaceOrderDialog({ unitId, onClose }: { unitId: string; onClose: () => void }) {
  const [form] = Form.useForm<PlaceOrderValues>();
  const place = usePlaceOrder();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const kind = Form.useWatch('kind', form);
  const includeWithoutPhoto = Form.useWatch('include_without_photo', form);
  const preview = useOrderPreview(unitId, kind);
  const fee = useFeeSchedules().data?.find((schedule) => schedule.state === 'in_force');
  const { onFinish, problem, submitting } = useFormSubmit(form, async (values: PlaceOrderValues) => {
    const order = await place.mutateAsync({
      unit_id: unitId, kind: values.kind, note: values.note?.trim() || undefined,
      include_without_photo: values.include_without_photo,
    });
    const leftOut = order.left_out_vi ? `; ${order.left_out_vi}` : '';
    message.success(`Đã lập đơn ${order.order_number}: ${formatNumber(order.card_count)} thẻ${leftOut}`);
    onClose();
    navigate(`/don-vi/${unitId}/the/don/${order.order_id}`);
  });
  return (
    <Modal open title="Lập đơn đặt in thẻ" okText="Lập đơn" onCancel={onClose} onOk={() => form.submit()}
           confirmLoading={submitting} destroyOnHidden>
      <Form form={form} layout="vertical" onFinish={onFinish} initialValues={{ kind: 'regular', include_without_photo: false }}>
        <FormProblem messages={problem} />
        <Form.Item name="kind" label="Loại thẻ"
                   extra="Đơn gom mọi thẻ loại này đã được đề nghị trong đơn vị và các đơn vị trực thuộc.">
          <Select options={[{ value: 'regular', label: 'Thẻ thường (in tại Tổng Liên đoàn)' },
                            { value: 'linked', label: 'Thẻ liên kết (ngân hàng phát hành)' }]} />
        </Form.Item>
        {preview.data && (
          <Alert
            style={{ marginBottom: 16 }} showIcon type={preview.data.without_photo && !includeWithoutPhoto ? 'warning' : 'info'}
            title={`Đơn sẽ gồm ${formatNumber(includeWithoutPhoto ? preview.data.requested : preview.data.to_order)} thẻ`
              + ` (đã đề nghị: ${formatNumber(preview.data.requested)}, trong đó chưa có ảnh: ${formatNumber(preview.data.without_photo)})`}
            description={!includeWithoutPhoto && preview.data.left_out_vi}
          />
        )}
        {fee && kind && (
          <p>Phí theo biểu phí áp dụng từ {formatDate(fee.effective_from)}: {perCard(kind, fee)}.</p>
        )}
        <Form.Item name="include_without_photo" valuePropName="checked"
                   extra="Mặc định thẻ của đoàn viên chưa có ảnh 3×4 không được đặt in, vẫn chờ đặt in ở đơn sau.">
          <Checkbox>Đặt in cả thẻ của đoàn viên chưa có ảnh</Checkbox>
        </Form.Item>
        <Form.Item name="note" label="Ghi chú"><Input.TextArea rows={2} maxLength={500} /></Form.Item>
      </Form>
    </Modal>
  );
}
