import { DatePicker, Empty, Space, Tag, Tree, Typography } from 'antd';
import dayjs from 'dayjs';
import { useMemo, useState } from 'react';
import { ErrorState } from '@/components/query-state';
import { DATE_FORMAT, toApiDate } from '@/lib/format';
import { UNIT_STATUS } from '@/lib/labels';
import { useTreeAsOf } from '../api/units';

type Node = { key: string; title: React.ReactNode; children: Node[] };

/** Cơ cấu tổ chức tại một ngày: the subtree as it was on the chosen day (three levels down). */
export function TreeAsOf({ unitId }: { unitId: string }) {
  const [day, setDay] = useState<dayjs.Dayjs | null>(null);
  const tree = useTreeAsOf(unitId, toApiDate(day));
  const nodes = useMemo(() => {
    const items = tree.data?.items ?? [];
    const byId = new Map<string, Node>();
    for (const unit of items) {
      byId.set(unit.unit_id, {
        key: unit.unit_id,
        title: (
          <span>
            {unit.name} <Typography.Text type="secondary">({unit.code})</Typography.Text>{' '}
            {unit.status !== 'active' && <Tag>{UNIT_STATUS[unit.status]?.label ?? unit.status}</Tag>}
          </span>
        ),
        children: [],
      });
    }
    const roots: Node[] = [];
    for (const unit of items) {
      const node = byId.get(unit.unit_id) as Node;
      const parent = unit.parent_id ? byId.get(unit.parent_id) : undefined;
      if (parent) parent.children.push(node);
      else roots.push(node);
    }
    return roots;
  }, [tree.data]);
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Space wrap>
        <label htmlFor="tree-as-of-day">Xem cơ cấu tại ngày</label>
        <DatePicker id="tree-as-of-day" format={DATE_FORMAT} value={day} onChange={setDay}
                    disabledDate={(d) => d.isAfter(dayjs(), 'day')} />
      </Space>
      {!day ? (
        <Typography.Text type="secondary">Chọn một ngày để xem các đơn vị trực thuộc tại ngày đó.</Typography.Text>
      ) : tree.isError ? (
        <ErrorState error={tree.error} onRetry={tree.refetch} />
      ) : tree.isPending ? null : nodes.length === 0 ? (
        <Empty description="Đơn vị chưa tồn tại vào ngày này" />
      ) : (
        <Tree treeData={nodes} defaultExpandAll selectable={false} />
      )}
    </Space>
  );
}
