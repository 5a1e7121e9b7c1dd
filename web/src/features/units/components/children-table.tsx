import { lazy } from 'react';
import { Link } from 'react-router';
import { CursorPager, useCursorPages } from '@/components/cursor-pager';
import { ProgressiveTable, type TableColumn } from '@/components/progressive-table';
import { WithAntd } from '@/components/with-antd';
import { formatNumber } from '@/lib/format';
import { UNIT_STATUS } from '@/lib/labels';
import { useChildren, useMemberCounts } from '../api/units';

/** A child as the children's page lists it. */
type Unit = NonNullable<ReturnType<typeof useChildren>['data']>['items'][number];

const ErrorState = lazy(() => import('@/components/query-state').then((m) => ({ default: m.ErrorState })));

/** A unit's status as the plain tag (app.css `.status-tag`), coloured as Ant Design's Tag would be. */
export function UnitStatus({ status }: { status: string }) {
  const known = UNIT_STATUS[status];
  return <span className={`status-tag ${known?.color === 'green' ? 'green' : ''}`}>{known?.label ?? status}</span>;
}

/** The unit's direct children with the members of each one's subtree, 50 at a time: plain rows first. */
export function ChildrenTable({ unitId, showCounts, typeNames }: {
  unitId: string;
  showCounts: boolean;
  typeNames: Map<string, string>;
}) {
  const pages = useCursorPages(unitId);
  const children = useChildren(unitId, pages.after);
  const ids = (children.data?.items ?? []).map((unit) => unit.unit_id);
  const counts = useMemberCounts(ids, showCounts);
  if (children.isError) return <WithAntd><ErrorState error={children.error} onRetry={children.refetch} /></WithAntd>;
  const columns: TableColumn<Unit>[] = [
    { key: 'name', title: 'Tên đơn vị', width: 250,
      render: (unit) => <Link to={`/don-vi/${unit.unit_id}`} className="wrap-anywhere">{unit.name}</Link> },
    { key: 'code', title: 'Mã', width: 150, render: (unit) => unit.code },
    { key: 'type', title: 'Loại', width: 200, render: (unit) => typeNames.get(unit.type_code) ?? unit.type_code },
    { key: 'status', title: 'Trạng thái', width: 140, render: (unit) => <UnitStatus status={unit.status} /> },
    ...(showCounts ? [
      { key: 'members', title: 'Đoàn viên', width: 110, align: 'right' as const,
        render: (unit: Unit) => formatNumber(counts.data?.get(unit.unit_id)?.members) },
      { key: 'pending', title: 'Chờ duyệt', width: 110, align: 'right' as const,
        render: (unit: Unit) => formatNumber(counts.data?.get(unit.unit_id)?.pending) },
    ] : []),
  ];
  return (
    <>
      {/* Wide enough that a long name keeps a readable column on a phone; the table scrolls sideways instead. */}
      <ProgressiveTable<Unit> caption="Đơn vị trực thuộc" columns={columns} rows={children.data?.items}
                              rowKey={(unit) => unit.unit_id} busy={children.isFetching}
                              emptyText="Đơn vị chưa có đơn vị trực thuộc" minWidth={showCounts ? 960 : 740} />
      {(pages.previous || children.data?.next_cursor) && <CursorPager pages={pages} next={children.data?.next_cursor} />}
    </>
  );
}
