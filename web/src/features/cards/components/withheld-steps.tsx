/**
 * Các bước chưa gửi ngân hàng: steps of linked cards of the unit's subtree that no bank received, and why (a member
 * who has not consented, or withdrew, to share their data with the bank), newest first. They go to the bank, in
 * order, once the member consents again.
 */

import { Alert, Table } from 'antd';
import { Link } from 'react-router';
import { CursorPager, useCursorPages } from '@/components/cursor-pager';
import { ErrorState } from '@/components/query-state';
import { UnitName } from '@/components/units/unit-name';
import { formatDateTime } from '@/lib/format';
import { CARD_STATUS, label } from '@/lib/labels';
import { useWithheld, type WithheldStep } from '../api/cards';

export function WithheldSteps({ unitId }: { unitId: string }) {
  const pages = useCursorPages(unitId);
  const steps = useWithheld(unitId, pages.after);
  return (
    <>
      <Alert type="info" showIcon style={{ marginBottom: 12 }}
             title="Thẻ liên kết của đoàn viên chưa đồng ý (hoặc đã rút lại) chia sẻ thông tin với ngân hàng: các bước này được giữ lại và gửi ngân hàng khi đoàn viên đồng ý." />
      {steps.isError ? <ErrorState error={steps.error} onRetry={steps.refetch} /> : (
        <Table<WithheldStep>
          rowKey="event_id" size="middle" loading={steps.isFetching} dataSource={steps.data?.items ?? []}
          pagination={false} scroll={{ x: 900 }} locale={{ emptyText: 'Không có bước nào bị giữ lại' }}
          columns={[
            { title: 'Đoàn viên', dataIndex: 'full_name',
              render: (name, step) => <Link to={`/don-vi/${step.unit_id}/doan-vien/${step.member_id}`}>{name}</Link> },
            { title: 'Mã đoàn viên', dataIndex: 'member_code', width: 140 },
            { title: 'Bước của thẻ', dataIndex: 'status', width: 140, render: (s) => label(CARD_STATUS, s) },
            { title: 'Ngân hàng', dataIndex: 'partner', width: 100 },
            { title: 'Lý do', dataIndex: 'reason_vi' },
            { title: 'Đơn vị', dataIndex: 'unit_id', render: (id) => <UnitName unitId={id} /> },
            { title: 'Lúc', dataIndex: 'recorded_at', width: 150, render: formatDateTime },
          ]}
        />
      )}
      <CursorPager pages={pages} next={steps.data?.next_cursor} />
    </>
  );
}
