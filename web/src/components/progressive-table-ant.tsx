/**
 * Ant Design's table for a ProgressiveTable once its code has loaded (progressive-table.tsx): the same columns and
 * cells as the plain table it takes over from.
 */

import { Table } from 'antd';
import type { TableProps } from './progressive-table';

export default function AntProgressiveTable<Row extends object>({
  caption, columns, rows, rowKey, busy, emptyText, minWidth,
}: TableProps<Row>) {
  return (
    <Table<Row>
      aria-label={caption}
      rowKey={rowKey}
      size="small"
      loading={busy}
      dataSource={rows ?? []}
      pagination={false}
      scroll={{ x: minWidth }}
      locale={{ emptyText }}
      columns={columns.map((column) => ({
        key: column.key,
        title: column.title,
        width: column.width,
        align: column.align,
        render: (_: unknown, row: Row) => column.render(row),
      }))}
    />
  );
}
