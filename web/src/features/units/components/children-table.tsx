import { Table, Tag } from 'antd';
import { CursorPager, useCursorPages } from '@/components/cursor-pager';
import { Link } from 'react-router';
import { ErrorState } from '@/components/query-state';
import { formatNumber } from '@/lib/format';
import { UNIT_STATUS } from '@/lib/labels';
import { useChildren, useMemberCounts } from '../api/units';

/** The unit's direct children with the members of each one's subtree, 50 at a time. */
export function ChildrenTable({ unitId, showCounts, typeNames }: {
  unitId: string;
  showCounts: boolean;
  typeNames: Map<string, string>;
}) {
  const pages = useCursorPages(unitId);
  const children = useChildren(unitId, pages.after);
  const ids = (children.data?.items ?? []).map((unit) => unit.unit_id);
  const counts = useMemberCounts(ids, showCounts);
  if (children.isError) return <ErrorState error={children.error} onRetry={children.refetch} />;
  return (
    <>
      <Table
        size="middle"
        rowKey="unit_id"
        loading={children.isFetching}
        dataSource={children.data?.items ?? []}
        pagination={false}
        // Wide enough that a long name keeps a readable column on a phone; the table scrolls sideways instead.
        scroll={{ x: showCounts ? 960 : 740 }}
        locale={{ emptyText: 'Đơn vị chưa có đơn vị trực thuộc' }}
        columns={[
          { title: 'Tên đơn vị', dataIndex: 'name', width: 250, render: (name, unit) => <Link to={`/don-vi/${unit.unit_id}`}>{name}</Link> },
          { title: 'Mã', dataIndex: 'code', width: 150 },
          { title: 'Loại', dataIndex: 'type_code', width: 200, render: (code) => typeNames.get(code) ?? code },
          { title: 'Trạng thái', dataIndex: 'status', width: 140,
            render: (status) => <Tag color={UNIT_STATUS[status]?.color}>{UNIT_STATUS[status]?.label ?? status}</Tag> },
          ...(showCounts ? [
            { title: 'Đoàn viên', key: 'members', width: 110, align: 'right' as const,
              render: (_: unknown, unit: { unit_id: string }) => formatNumber(counts.data?.get(unit.unit_id)?.members) },
            { title: 'Chờ duyệt', key: 'pending', width: 110, align: 'right' as const,
              render: (_: unknown, unit: { unit_id: string }) => formatNumber(counts.data?.get(unit.unit_id)?.pending) },
          ] : []),
        ]}
      />
      {(pages.previous || children.data?.next_cursor) && <CursorPager pages={pages} next={children.data?.next_cursor} />}
    </>
  );
}
