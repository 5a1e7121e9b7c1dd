import { SearchOutlined } from '@ant-design/icons';
import { Button, Input, List, Typography } from 'antd';
import { useState } from 'react';
import { useDebounced } from '@/lib/use-debounced';
import type { UseQueryResult } from '@tanstack/react-query';
import { type UnitSummary, useUnitDirectory } from './api';

/** Search of every unit of the country that admits members, by name (with or without diacritics) or code. */
export function UnitDirectory({ onSelect, disabledIds = [] }: { onSelect: (unitId: string) => void; disabledIds?: string[] }) {
  const [query, setQuery] = useState('');
  const debounced = useDebounced(query, 300);
  const found = useUnitDirectory(debounced);
  return (
    <div className="unit-tree">
      <Input allowClear autoFocus prefix={<SearchOutlined aria-hidden />} value={query}
             onChange={(event) => setQuery(event.target.value)}
             placeholder="Tìm đơn vị theo tên hoặc mã" aria-label="Tìm đơn vị theo tên hoặc mã" />
      {debounced.trim().length < 2 ? (
        <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
          Gõ ít nhất 2 ký tự của tên (có dấu hoặc không) hoặc mã công đoàn cơ sở, ở bất kỳ tỉnh nào.
        </Typography.Paragraph>
      ) : (
        <UnitChoices found={found} disabledIds={disabledIds} onSelect={onSelect} />
      )}
    </div>
  );
}

/** Units found by a search, each a button that chooses it. */
export function UnitChoices({ found, disabledIds, onSelect }: {
  found: UseQueryResult<{ items: UnitSummary[] }>;
  disabledIds: string[];
  onSelect: (unitId: string) => void;
}) {
  return (
    <List
      size="small"
      loading={found.isFetching}
      locale={{ emptyText: found.isError ? found.error.message : 'Không tìm thấy đơn vị nào' }}
      dataSource={found.data?.items ?? []}
      renderItem={(unit) => (
        <List.Item>
          <Button type="link" className="unit-choice" disabled={disabledIds.includes(unit.unit_id)}
                  onClick={() => onSelect(unit.unit_id)}>
            {unit.name}
          </Button>
          <Typography.Text type="secondary">{unit.code}</Typography.Text>
        </List.Item>
      )}
    />
  );
}
