/**
 * The members list on a wider screen once Ant Design's table has loaded: it takes over from the plain table of the
 * first rows (member-plain-table.tsx), with the same columns and cells, the columns chosen and selection for bulk
 * actions (a header box for the page, shift-click for a range).
 */

import { Table } from 'antd';
import type { MemberRow } from '../api/members';
import type { MemberListProps } from './member-cards';
import { MEMBER_COLUMNS, TABLE_MIN_WIDTH } from './member-columns';

export default function MemberTable({ unitId, rows, busy, emptyText, selected, onSelect, visible }:
  MemberListProps & { visible: (key: string) => boolean }) {
  const columns = MEMBER_COLUMNS.filter((column) => visible(column.key)).map((column) => ({
    key: column.key,
    title: column.title,
    width: column.width,
    fixed: column.key === 'full_name' ? ('left' as const) : undefined,
    render: (_: unknown, row: MemberRow) => column.cell(row, unitId),
  }));
  return (
    <Table<MemberRow>
      rowKey="member_id"
      rowClassName="member-row"
      size="middle"
      loading={busy}
      dataSource={rows ?? []}
      columns={columns}
      scroll={{ x: TABLE_MIN_WIDTH }}
      pagination={false}
      rowSelection={{
        selectedRowKeys: selected.map((row) => row.member_id),
        onChange: (_, chosen) => onSelect(chosen),
        preserveSelectedRowKeys: true,
        // Each box says whom it selects (a screen reader otherwise hears "checkbox" twenty times).
        getCheckboxProps: (row) => ({ 'aria-label': `Chọn ${row.full_name}` }),
      }}
      locale={{ emptyText }}
    />
  );
}
