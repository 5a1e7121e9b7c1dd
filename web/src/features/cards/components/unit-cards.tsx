/**
 * The unit's cards (the "Thẻ của đơn vị" tab of routes/cards.tsx) by status and kind, and the hand-over of a
 * delivered card to its member. Loaded when its tab is first opened: the print orders' tab is the first view.
 */

import { App, Button, Select, Table } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { CursorPager, useCursorPages } from '@/components/cursor-pager';
import { ErrorState, problemMessage } from '@/components/query-state';
import { UnitName } from '@/components/units/unit-name';
import { formatDate } from '@/lib/format';
import { CARD_STATUS, CARD_TYPE, label } from '@/lib/labels';
import { type Card, type CardKind, type CardStatus, useCards, useHandOver } from '../api/cards';

/** Today in Hà Nội (UTC+7 all year), as the API's dates are written. */
function todayInVietnam(): string {
  return new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);
}

export default function UnitCards({ unitId, canOrder }: { unitId: string; canOrder: boolean }) {
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
