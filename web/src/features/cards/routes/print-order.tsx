/**
 * Một đơn đặt in: its cards, the three documents (the list for the printer as .xlsx, the payment voucher as PDF,
 * the card faces as PDF), and its steps: cancelled before printing, marked printed by the national centre, then on
 * the way down the tree each unit confirming what it received and handing down what it holds for the units below.
 */

import { DownloadOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Descriptions, Input, Modal, Space, Table, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useParams } from 'react-router';
import { CursorPager, useCursorPages } from '@/components/cursor-pager';
import { ErrorState, problemMessage, QueryState } from '@/components/query-state';
import { UnitName } from '@/components/units/unit-name';
import { download } from '@/lib/files';
import { formatDateTime, formatNumber } from '@/lib/format';
import { CARD_TYPE, label } from '@/lib/labels';
import {
  type PrintOrderLine, type SubunitDelivery, useDelivery, useOrderLines, useOrderStep, usePrintOrder,
} from '../api/cards';
import { CardFaces, FaceJobs } from '../components/card-faces';
import { FeeBreakdown } from '../components/fee-breakdown';

export default function PrintOrderPage() {
  const { unitId, orderId } = useParams() as { unitId: string; orderId: string };
  const order = usePrintOrder(orderId);
  const step = useOrderStep(orderId);
  const { message, modal } = App.useApp();
  const [cancelling, setCancelling] = useState(false);
  useEffect(() => {
    if (order.data) document.title = `Đơn ${order.data.order_number} — Quản lý đoàn viên`;
  }, [order.data]);

  const run = async (action: Parameters<typeof step.mutateAsync>[0], done: string) => {
    try {
      await step.mutateAsync(action);
      message.success(done);
    } catch (error) {
      message.error(problemMessage(error));
    }
  };
  const documents = (path: string, name: string) => () =>
    void download(`/api/v1/cards/print-orders/${orderId}/${path}`, {}, name).catch((e) => message.error(problemMessage(e)));

  return (
    <QueryState query={order}>
      {order.data && (
        <>
          <div className="page-header">
            <h1>Đơn đặt in {order.data.order_number} <Tag>{order.data.status_vi}</Tag></h1>
            <Space wrap>
              {order.data.status === 'placed' && (
                <>
                  <Button onClick={() => modal.confirm({
                    title: 'Xác nhận đã in xong các thẻ của đơn?', okText: 'Đã in xong', cancelText: 'Không',
                    content: 'Các thẻ chuyển sang trạng thái đã in, chờ giao về đơn vị.',
                    onOk: () => run({ step: 'printed' }, 'Đã xác nhận in xong'),
                  })}>Xác nhận đã in</Button>
                  <Button danger onClick={() => setCancelling(true)}>Hủy đơn</Button>
                </>
              )}
              {order.data.status === 'printed' && (
                <Button type="primary" onClick={() => modal.confirm({
                  title: 'Xác nhận đơn vị đã nhận thẻ?', okText: 'Đã nhận', cancelText: 'Không',
                  content: 'Các thẻ đang chuyển đến đơn vị được ghi nhận là đã nhận: thẻ của đoàn viên đơn vị mình là đã giao, các thẻ khác đơn vị giữ để bàn giao xuống cấp dưới.',
                  onOk: () => run({ step: 'received', unit_id: unitId }, 'Đã xác nhận nhận thẻ'),
                })}>Xác nhận đã nhận thẻ</Button>
              )}
            </Space>
          </div>
          {order.data.left_out_vi && (
            <Alert style={{ marginBottom: 16 }} type="warning" showIcon title="Có thẻ không vào đơn"
                   description={order.data.left_out_vi} />
          )}
          <Card style={{ marginBottom: 16 }}>
            <Descriptions size="small" column={{ xs: 1, md: 2, xl: 3 }}>
              <Descriptions.Item label="Đơn vị đặt"><UnitName unitId={order.data.unit_id} /></Descriptions.Item>
              <Descriptions.Item label="Loại thẻ">{label(CARD_TYPE, order.data.kind)}</Descriptions.Item>
              <Descriptions.Item label="Nơi in">{order.data.supplier}</Descriptions.Item>
              <Descriptions.Item label="Số thẻ">{formatNumber(order.data.card_count)}</Descriptions.Item>
              <Descriptions.Item label="Thẻ chưa có ảnh">
                {order.data.include_without_photo ? 'đặt in cả thẻ chưa có ảnh' : `không đặt in (${formatNumber(order.data.left_out_without_photo)} thẻ để lại)`}
              </Descriptions.Item>
              <Descriptions.Item label="Đơn giá (đồng)">{formatNumber(order.data.unit_price_vnd)}</Descriptions.Item>
              <Descriptions.Item label="Thành tiền (đồng)">{formatNumber(order.data.total_vnd)}</Descriptions.Item>
              <Descriptions.Item label="Lập">{formatDateTime(order.data.placed_at)} · {order.data.placed_by}</Descriptions.Item>
              {order.data.printed_at && (
                <Descriptions.Item label="In xong">{formatDateTime(order.data.printed_at)} · {order.data.printed_by}</Descriptions.Item>
              )}
              {order.data.cancel_reason && <Descriptions.Item label="Lý do hủy">{order.data.cancel_reason}</Descriptions.Item>}
            </Descriptions>
            <FeeBreakdown order={order.data} />
            <Space wrap style={{ marginTop: 12 }}>
              <Button icon={<DownloadOutlined aria-hidden />} onClick={documents('list.xlsx', `don-${order.data.order_number}.xlsx`)}>
                Danh sách thẻ (.xlsx)
              </Button>
              <Button icon={<DownloadOutlined aria-hidden />} onClick={documents('list.pdf', `chung-tu-${order.data.order_number}.pdf`)}>
                Chứng từ thanh toán (PDF)
              </Button>
              {order.data.kind === 'regular' && (
                <Button icon={<DownloadOutlined aria-hidden />} onClick={documents('cards.pdf', `mat-the-${order.data.order_number}.pdf`)}>
                  Mặt thẻ để in (PDF)
                </Button>
              )}
            </Space>
          </Card>
          {order.data.status === 'printed' && (
            <Card title="Giao thẻ xuống cấp dưới" style={{ marginBottom: 16 }}>
              <Delivery orderId={orderId} unitId={unitId} onHandDown={(row) => modal.confirm({
                title: `Bàn giao thẻ cho ${row.name}?`, okText: 'Bàn giao', cancelText: 'Không',
                content: 'Các thẻ đơn vị đang giữ cho đơn vị này và cấp dưới của nó chuyển xuống; đơn vị nhận xác nhận khi nhận được.',
                onOk: () => run({ step: 'handed-down', unit_id: unitId, to_unit_id: row.unit_id }, 'Đã bàn giao xuống cấp dưới'),
              })} />
            </Card>
          )}
          {order.data.kind === 'regular' && order.data.status !== 'cancelled' && (
            <Card title="Mặt thẻ của đơn (tạo nền)" style={{ marginBottom: 16 }}>
              <CardFaces orderId={orderId} orderNumber={order.data.order_number} />
              <FaceJobs orderId={orderId} orderNumber={order.data.order_number} />
            </Card>
          )}
          <Card title="Các thẻ trong đơn"><OrderLines orderId={orderId} /></Card>
          {cancelling && (
            <CancelDialog onClose={() => setCancelling(false)} onCancel={async (reason) => {
              await step.mutateAsync({ step: 'cancel', reason });
              message.success('Đã hủy đơn; các thẻ trở lại trạng thái đã đề nghị');
              setCancelling(false);
            }} />
          )}
        </>
      )}
    </QueryState>
  );
}

function Delivery({ orderId, unitId, onHandDown }: {
  orderId: string; unitId: string; onHandDown: (row: SubunitDelivery) => void;
}) {
  const progress = useDelivery(orderId, unitId, true);
  return (
    <QueryState query={progress}>
      {progress.data && (
        <>
          <Descriptions size="small" column={{ xs: 1, md: 2 }}>
            <Descriptions.Item label="Đang chuyển đến đơn vị">{formatNumber(progress.data.on_the_way)}</Descriptions.Item>
            <Descriptions.Item label="Đơn vị đang giữ">{formatNumber(progress.data.held)}</Descriptions.Item>
          </Descriptions>
          <Table<SubunitDelivery>
            rowKey="unit_id" size="small" pagination={false} scroll={{ x: 760 }} dataSource={progress.data.subunits}
            columns={[
              { title: 'Đơn vị trực thuộc', dataIndex: 'name' },
              { title: 'Còn ở đơn vị này', dataIndex: 'waiting_here', width: 130, render: formatNumber },
              { title: 'Đang chuyển xuống', dataIndex: 'on_the_way', width: 140, render: formatNumber },
              { title: 'Cấp dưới đang giữ', dataIndex: 'held', width: 140, render: formatNumber },
              { title: 'Đã giao', dataIndex: 'delivered', width: 100, render: formatNumber },
              {
                title: '', key: 'hand-down', width: 110,
                render: (_, row) => (
                  <Button size="small" disabled={progress.data.held === 0 || row.waiting_here === 0}
                          onClick={() => onHandDown(row)}>Bàn giao</Button>
                ),
              },
            ]}
          />
        </>
      )}
    </QueryState>
  );
}

function OrderLines({ orderId }: { orderId: string }) {
  const pages = useCursorPages(orderId);
  const lines = useOrderLines(orderId, pages.after);
  if (lines.isError) return <ErrorState error={lines.error} onRetry={lines.refetch} />;
  return (
    <>
      <Table<PrintOrderLine>
        rowKey="card_id" size="small" loading={lines.isFetching} dataSource={lines.data?.items ?? []}
        pagination={false} scroll={{ x: 760 }}
        columns={[
          { title: 'Họ và tên', dataIndex: 'full_name' },
          { title: 'Mã đoàn viên', dataIndex: 'member_code', width: 140 },
          { title: 'Số thẻ', dataIndex: 'card_number', width: 130 },
          { title: 'Công đoàn cơ sở', dataIndex: 'unit_name' },
          { title: 'Ảnh', dataIndex: 'has_photo', width: 120,
            render: (has) => (has ? 'Có ảnh' : <Tag color="orange">Chưa có ảnh</Tag>) },
          { title: 'Trạng thái', dataIndex: 'status', width: 120 },
        ]}
      />
      <CursorPager pages={pages} next={lines.data?.next_cursor} />
    </>
  );
}

function CancelDialog({ onClose, onCancel }: { onClose: () => void; onCancel: (reason: string) => Promise<void> }) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <Modal open title="Hủy đơn đặt in" okText="Hủy đơn" cancelText="Đóng" okButtonProps={{ danger: true }}
           confirmLoading={busy} onCancel={onClose}
           onOk={async () => {
             setBusy(true);
             setError(null);
             try {
               await onCancel(reason);
             } catch (failure) {
               setError(problemMessage(failure));
             } finally {
               setBusy(false);
             }
           }}>
      <Alert type="warning" showIcon title="Các thẻ của đơn trở lại trạng thái đã đề nghị và có thể đặt in lại." />
      <label htmlFor="cancel-reason" style={{ display: 'block', marginTop: 12 }}>Lý do hủy</label>
      <Input.TextArea id="cancel-reason" rows={3} maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)}
                      status={error ? 'error' : undefined} />
      {error && <Typography.Text type="danger" role="alert">{error}</Typography.Text>}
    </Modal>
  );
}
