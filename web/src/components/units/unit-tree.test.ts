import { describe, expect, it } from 'vitest';
import { nodeOf, type UnitNode, withChildren } from './unit-tree';

const leaf = (key: string): UnitNode => ({ key, title: key, code: key, isLeaf: true });

describe('the lazily loaded unit tree', () => {
  it('knows a unit without children is a leaf and any other may open', () => {
    expect(nodeOf({ unit_id: 'a', name: 'A', code: 'A', child_count: 0 }).isLeaf).toBe(true);
    expect(nodeOf({ unit_id: 'b', name: 'B', code: 'B', child_count: 3 }).isLeaf).toBe(false);
    expect(nodeOf({ unit_id: 'c', name: 'C', code: 'C' }).isLeaf).toBe(false);
  });

  it('puts loaded children under their parent, however deep', () => {
    const tree: UnitNode[] = [{ ...leaf('root'), isLeaf: false, children: [{ ...leaf('p'), isLeaf: false }] }];
    const loaded = withChildren(tree, 'p', [leaf('g1'), leaf('g2')]);
    expect(loaded[0].children?.[0].children?.map((n) => n.key)).toEqual(['g1', 'g2']);
    expect(tree[0].children?.[0].children).toBeUndefined(); // the old tree is left as it was
  });

  it('replaces the "show more" entry with the next page of children', () => {
    const more: UnitNode = { ...leaf('p:more:x'), more: { parentId: 'p', after: 'x' } };
    const tree: UnitNode[] = [{ ...leaf('p'), isLeaf: false, children: [leaf('g1'), more] }];
    const loaded = withChildren(tree, 'p', [leaf('g2')], true);
    expect(loaded[0].children?.map((n) => n.key)).toEqual(['g1', 'g2']);
  });

  it('marks a parent whose children turn out to be none as a leaf', () => {
    expect(withChildren([{ ...leaf('p'), isLeaf: false }], 'p', [])[0].isLeaf).toBe(true);
  });
});
