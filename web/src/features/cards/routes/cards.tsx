/**
 * Thẻ đoàn viên: the unit's cards by status, and its print orders (đơn đặt in): a unit whose type may order gathers
 * the requested cards of its subtree into an order (regular cards for the national print centre, linked cards for
 * the bank). Cards are requested from the members list or a member's page.
 * A plain screen (app/layout/shell.tsx): its first view (the tabs, the print orders' rows, the pager) is plain HTML;
 * Ant Design's table takes over after the rows (components/progressive-table.tsx), the other tabs and the dialog
 * load when opened, inside Ant Design's provider.
 */

import { PlusOutlined } from '@ant-design/icons';
import { lazy, type ReactNode, Suspense, useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { CursorPager, useCursorPages } from '@/components/cursor-pager';
import { PlainTabs } from '@/components/plain-tabs';
import { ProgressiveTable, type TableColumn } from '@/components/progressive-table';
import { WithAntd } from '@/components/with-antd';
import { PERMISSIONS, useAccess } from '@/lib/access';
import { formatDateTime, formatNumber } from '@/lib/format';
import { CARD_TYPE, label } from '@/lib/labels';
import { type PrintOrder, usePrintOrders } from '../api/cards';

const UnitCards = lazy(() => import('../components/unit-cards'));
const WithheldSteps = lazy(() => import('../components/withheld-steps').then((m) => ({ default: m.WithheldSteps })));
const PlaceOrderDialog = lazy(() => import('../components/place-order-dialog'));
const ErrorState = lazy(() => import('@/components/query-state').then((m) => ({ default: m.ErrorState })));

const ORDER_STATUS: Record<string, string> = { placed: 'blue', printed: 'green', cancelled: '' };

export default function CardsPage() {
  const { unitId } = useParams() as { unitId: string };
  const access = useAccess(unitId);
  const canOrder = access.can(PERMISSIONS.cardsOrder);
  useEffect(() => {
    document.title = 'Thẻ đoàn viên — Quản lý đoàn viên';
  }, []);
  return (
    <>
      <div className="page-header"><h1>Thẻ đoàn viên</h1></div>
      <PlainTabs label="Thẻ đoàn viên" items={[
        { key: 'orders', label: 'Đơn đặt in', children: <Orders unitId={unitId} canOrder={canOrder} /> },
        { key: 'cards', label: 'Thẻ của đơn vị', children: <OnAntd><UnitCards unitId={unitId} canOrder={canOrder} /></OnAntd> },
        { key: 'withheld', label: 'Chưa gửi ngân hàng', children: <OnAntd><WithheldSteps unitId={unitId} /></OnAntd> },
      ]} />
    </>
  );
}

/** A tab's content on Ant Design, a spinner while its code loads. */
function OnAntd({ children }: { children: ReactNode }) {
  const spinner = <div className="full-page-spin" aria-busy="true" style={{ minHeight: 120 }}><div className="css-spinner" /></div>;
  return <WithAntd fallback={spinner}><Suspense fallback={spinner}>{children}</Suspense></WithAntd>;
}

function Orders({ unitId, canOrder }: { unitId: string; canOrder: boolean }) {
  const pages = useCursorPages(unitId);
  const orders = usePrintOrders(unitId, pages.after);
  const [placing, setPlacing] = useState(false);
  const columns: TableColumn<PrintOrder>[] = [
    { key: 'order_number', title: 'Số đơn', width: 160,
      render: (order) => <Link to={`/don-vi/${unitId}/the/don/${order.order_id}`}>{order.order_number}</Link> },
    { key: 'kind', title: 'Loại thẻ', width: 190, render: (order) => label(CARD_TYPE, order.kind) },
    { key: 'card_count', title: 'Số thẻ', width: 90, align: 'right', render: (order) => formatNumber(order.card_count) },
    { key: 'total_vnd', title: 'Thành tiền (đồng)', width: 150, align: 'right', render: (order) => formatNumber(order.total_vnd) },
    { key: 'supplier', title: 'Nơi in', width: 200, render: (order) => order.supplier },
    { key: 'placed_at', title: 'Lập lúc', width: 150, render: (order) => formatDateTime(order.placed_at) },
    { key: 'status', title: 'Trạng thái', width: 130,
      render: (order) => <span className={`status-tag ${ORDER_STATUS[order.status] ?? ''}`}>{order.status_vi}</span> },
  ];
  return (
    <>
      {canOrder && (
        <div className="toolbar">
          <button type="button" className="plain-button middle" onClick={() => setPlacing(true)}>
            <PlusOutlined aria-hidden /> Lập đơn đặt in
          </button>
        </div>
      )}
      {orders.isError ? (
        <WithAntd><ErrorState error={orders.error} onRetry={orders.refetch} /></WithAntd>
      ) : (
        <ProgressiveTable<PrintOrder> caption="Đơn đặt in" columns={columns} rows={orders.data?.items}
                                      rowKey={(order) => order.order_id} busy={orders.isFetching}
                                      emptyText="Chưa có đơn đặt in nào" minWidth={1070} />
      )}
      <CursorPager pages={pages} next={orders.data?.next_cursor} />
      {placing && <WithAntd><PlaceOrderDialog unitId={unitId} onClose={() => setPlacing(false)} /></WithAntd>}
    </>
  );
}
