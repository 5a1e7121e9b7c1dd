/**
 * The unit tree below the user's own units, loaded a level at a time (a province has thousands of grassroots
 * unions), with search by name (with or without diacritics) or code.
 */

import { SearchOutlined } from '@ant-design/icons';
import { Empty, Input, Spin, Tree } from 'antd';
import type { EventDataNode } from 'antd/es/tree';
import { useEffect, useMemo, useState } from 'react';
import { useDebounced } from '@/lib/use-debounced';
import { CHILDREN_PAGE, fetchChildren, fetchUnit, type UnitSummary, useUnitSearch } from './api';
import { UnitChoices } from './unit-directory';

export type UnitNode = {
  key: string;
  title: string;
  code: string;
  isLeaf: boolean;
  children?: UnitNode[];
  /** A "show more" entry: the cursor of the next page of its parent's children. */
  more?: { parentId: string; after: string };
};

export function nodeOf(unit: Pick<UnitSummary, 'unit_id' | 'name' | 'code'> & { child_count?: number | null }): UnitNode {
  return {
    key: unit.unit_id,
    title: unit.name,
    code: unit.code,
    isLeaf: unit.child_count === 0,
  };
}

/** The tree with `children` put under the node `parentId` (replacing a "show more" entry, if that was clicked). */
export function withChildren(nodes: UnitNode[], parentId: string, children: UnitNode[], append = false): UnitNode[] {
  return nodes.map((node) => {
    if (node.key === parentId) {
      const kept = append ? (node.children ?? []).filter((child) => !child.more) : [];
      const all = [...kept, ...children];
      return { ...node, children: all, isLeaf: all.length === 0 };
    }
    return node.children ? { ...node, children: withChildren(node.children, parentId, children, append) } : node;
  });
}

export async function childNodes(parentId: string, after?: string): Promise<UnitNode[]> {
  const page = await fetchChildren(parentId, after);
  const nodes = page.items.map(nodeOf);
  if (page.next_cursor) {
    nodes.push({
      key: `${parentId}:more:${page.next_cursor}`,
      title: `Xem thêm (hơn ${CHILDREN_PAGE} đơn vị)…`,
      code: '',
      isLeaf: true,
      more: { parentId, after: page.next_cursor },
    });
  }
  return nodes;
}

type Props = {
  /** The units the tree starts from: where the user holds roles. */
  rootIds: string[];
  selectedId?: string;
  onSelect: (unitId: string) => void;
  /** Units that cannot be chosen (e.g. the unit being moved, for a move). */
  disabledIds?: string[];
};

export function UnitTree({ rootIds, selectedId, onSelect, disabledIds = [] }: Props) {
  const [nodes, setNodes] = useState<UnitNode[] | null>(null);
  const [failed, setFailed] = useState(false);
  const [query, setQuery] = useState('');
  const debounced = useDebounced(query, 300);
  const search = useUnitSearch(debounced);
  const rootKey = rootIds.join(',');

  useEffect(() => {
    let cancelled = false;
    setFailed(false);
    Promise.all(rootKey.split(',').filter(Boolean).map((id) => fetchUnit(id)))
      .then((units) => {
        if (!cancelled) setNodes(units.map((unit) => ({ ...nodeOf(unit), isLeaf: false })));
      })
      .catch(() => !cancelled && setFailed(true));
    return () => {
      cancelled = true;
    };
  }, [rootKey]);

  const loadData = async (node: EventDataNode<UnitNode>) => {
    if (node.children || node.more) return;
    const children = await childNodes(node.key as string);
    setNodes((current) => withChildren(current ?? [], node.key as string, children));
  };

  const select = async (node: UnitNode) => {
    if (node.more) {
      const more = await childNodes(node.more.parentId, node.more.after);
      setNodes((current) => withChildren(current ?? [], node.more!.parentId, more, true));
      return;
    }
    onSelect(node.key);
  };

  const disabled = useMemo(() => new Set(disabledIds), [disabledIds]);
  const treeData = useMemo(() => markDisabled(nodes ?? [], disabled), [nodes, disabled]);
  const searching = debounced.trim().length >= 2;

  return (
    <div className="unit-tree">
      <Input
        allowClear
        prefix={<SearchOutlined aria-hidden />}
        placeholder="Tìm đơn vị theo tên hoặc mã"
        aria-label="Tìm đơn vị theo tên hoặc mã"
        value={query}
        onChange={(event) => setQuery(event.target.value)}
      />
      {searching ? (
        <UnitChoices found={search} disabledIds={disabledIds} onSelect={onSelect} />
      ) : failed ? (
        <Empty description="Không tải được cây đơn vị" />
      ) : nodes === null ? (
        <Spin style={{ display: 'block', margin: 16 }} />
      ) : (
        <Tree<UnitNode>
          blockNode
          treeData={treeData}
          loadData={loadData}
          selectedKeys={selectedId ? [selectedId] : []}
          onSelect={(_, info) => void select(info.node)}
          titleRender={(node) => (
            <span title={node.code ? `${node.title} (${node.code})` : node.title}>{node.title}</span>
          )}
        />
      )}
    </div>
  );
}

function markDisabled(nodes: UnitNode[], disabled: Set<string>): (UnitNode & { disabled?: boolean })[] {
  return nodes.map((node) => ({
    ...node,
    disabled: disabled.has(node.key),
    children: node.children ? markDisabled(node.children, disabled) : undefined,
  }));
}
