import { Button, Space, Table, Tabs } from 'antd';
import { useState } from 'react';
import { ErrorState } from '@/components/query-state';
import { formatNumber } from '@/lib/format';
import { type Import, type StagedRow, useStagedRows } from '../api/imports';

type Only = 'errors' | 'warnings' | 'all';

/** The rows of the file with their errors and warnings, a hundred at a time. */
export function StagedRows({ item }: { item: Import }) {
  const [only, setOnly] = useState<Only>(item.error_rows > 0 ? 'errors' : 'all');
  const [afters, setAfters] = useState<number[]>([0]);
  const after = afters[afters.length - 1];
  const rows = useStagedRows(item.import_id, only, after, true);
  const headers = ((item.header_map as { headers?: string[] } | null)?.headers ?? []).slice(0, 6);
  const items = rows.data ?? [];
  const messages = (entries: StagedRow['errors']) =>
    entries.map((entry) => String((entry as { message_vi?: string }).message_vi ?? '')).filter(Boolean);

  return (
    <>
      <Tabs
        activeKey={only}
        onChange={(key) => {
          setOnly(key as Only);
          setAfters([0]);
        }}
        items={[
          { key: 'errors', label: `Dòng lỗi (${formatNumber(item.error_rows)})` },
          { key: 'warnings', label: `Cảnh báo (${formatNumber(item.warning_rows)})` },
          { key: 'all', label: `Tất cả (${formatNumber(item.total_rows)})` },
        ]}
      />
      {rows.isError ? <ErrorState error={rows.error} onRetry={rows.refetch} /> : (
        <Table<StagedRow>
          rowKey="row_number"
          size="small"
          loading={rows.isFetching}
          dataSource={items}
          pagination={false}
          scroll={{ x: 900 }}
          locale={{ emptyText: only === 'errors' ? 'Không có dòng lỗi' : 'Không có dòng nào' }}
          columns={[
            { title: 'Dòng', dataIndex: 'row_number', width: 70 },
            ...headers.map((header, index) => ({
              title: header, key: `c${index}`, width: 150,
              render: (_: unknown, row: StagedRow) => row.original[index] ?? '',
            })),
            { title: 'Lỗi', key: 'errors', width: 280,
              render: (_: unknown, row: StagedRow) => (
                <ul className="row-messages error">{messages(row.errors).map((m) => <li key={m}>{m}</li>)}</ul>) },
            { title: 'Cảnh báo', key: 'warnings', width: 240,
              render: (_: unknown, row: StagedRow) => (
                <ul className="row-messages">{messages(row.warnings).map((m) => <li key={m}>{m}</li>)}</ul>) },
          ]}
        />
      )}
      <Space style={{ marginTop: 8 }}>
        <Button size="small" disabled={afters.length === 1} onClick={() => setAfters(afters.slice(0, -1))}>Trang trước</Button>
        <Button size="small" disabled={items.length < 100}
                onClick={() => setAfters([...afters, items[items.length - 1].row_number])}>Trang sau</Button>
      </Space>
    </>
  );
}
