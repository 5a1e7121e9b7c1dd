/**
 * Đoàn viên: the members of the unit's subtree, server-paged (keyset), with the search box (name without
 * diacritics, member code, ID number, phone), filters, a column chooser, selection for bulk actions, and export of
 * the current filter.
 */

import { DownloadOutlined, FilterOutlined, UserAddOutlined } from '@ant-design/icons';
import { App, Button, Dropdown, Input, Space } from 'antd';
import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import { CursorPager, useCursorPages } from '@/components/cursor-pager';
import { useTakeOver } from '@/components/progressive-table';
import { PERMISSIONS, useAccess } from '@/lib/access';
import { download } from '@/lib/files';
import { type MemberRow, useMemberSearch } from '../api/members';
import { useColumnChoice } from '../components/column-chooser';
import { MemberCards } from '../components/member-cards';
import { MEMBER_COLUMNS } from '../components/member-columns';
import { PlainMemberTable } from '../components/member-plain-table';
import {
  FIRST_PAGE_SIZE, type Filters, filtersOf, PAGE_SIZES, paramsOf, searchQuery, usePhone,
} from '../components/member-filters';

// What the list does not show until asked for (the filters, the bulk actions of a selection) loads when it is:
// on a slow phone the first page of rows waits for less code. A phone shows cards, so it never loads the table.
const FilterBar = lazy(() => import('../components/member-filter-bar').then((m) => ({ default: m.MemberFilterBar })));
const BulkActions = lazy(() => import('../components/bulk-actions').then((m) => ({ default: m.BulkActions })));
// A wider screen shows its first rows in a plain table (no wait for Ant Design's table: its code is the largest of
// the list's, and on a first visit it was fetched and compiled before a row could show); Ant Design's table loads
// once those rows are shown and the browser idles, and takes over (same columns and cells, member-columns.tsx), as
// every list's does (components/progressive-table.tsx; this one has its own tables for the selection's boxes).
type TableComponent = typeof import('../components/member-table').default;
let loadedTable: TableComponent | undefined;
const loadTable = () => import('../components/member-table').then((module) => (loadedTable = module.default));
// The error state's illustrations are the largest part of its code: they load when a list fails.
const ErrorState = lazy(() => import('@/components/query-state').then((m) => ({ default: m.ErrorState })));

export default function MembersPage() {
  const { unitId } = useParams() as { unitId: string };
  const [params, setParams] = useSearchParams();
  const filters = filtersOf(params);
  const [typed, setTyped] = useState(filters.q);
  const [size, setSize] = useState(FIRST_PAGE_SIZE);
  const [selected, setSelected] = useState<MemberRow[]>([]);
  const [showFilters, setShowFilters] = useState(filters.status.length > 0 || Boolean(filters.gender || filters.card_status || filters.enterprise_type || filters.unit));
  const access = useAccess(unitId);
  const navigate = useNavigate();
  const { message } = App.useApp();
  // A new filter, unit or page size starts again from the first page, with nothing selected.
  const resetKey = `${params.toString()}|${unitId}|${size}`;
  const pages = useCursorPages(resetKey);
  useEffect(() => setSelected([]), [resetKey]);
  useEffect(() => setTyped(filters.q), [filters.q]);
  useEffect(() => {
    document.title = 'Đoàn viên — Quản lý đoàn viên';
  }, []);

  const search = useMemberSearch(searchQuery(unitId, filters, size, pages.after));
  const setFilters = (change: Partial<Filters>) => setParams(paramsOf({ ...filters, ...change }));

  const columns = useColumnChoice('members.columns', MEMBER_COLUMNS, ['position']);
  const phone = usePhone();
  const listBox = useRef<HTMLDivElement>(null);
  const AntTable = useTakeOver(loadTable, () => loadedTable, !phone && search.data !== undefined, listBox);

  const list = {
    unitId,
    rows: search.data?.items,
    busy: search.isFetching,
    selected,
    onSelect: setSelected,
    emptyText: filters.q || filters.status.length ? 'Không có đoàn viên nào khớp bộ lọc' : 'Đơn vị chưa có đoàn viên',
  };

  const exportAs = async (format: 'xlsx' | 'csv') => {
    const hide = message.loading('Đang chuẩn bị tệp…', 0);
    try {
      const { limit: _limit, after: _after, ...query } = searchQuery(unitId, filters, 1);
      await download('/api/v1/members/export', { ...query, format } as never, `doan-vien.${format}`);
    } catch (error) {
      const { problemMessage } = await import('@/components/query-state');
      message.error(problemMessage(error));
    } finally {
      hide();
    }
  };

  return (
    <>
      <div className="page-header">
        <h1>Đoàn viên</h1>
        <Space wrap>
          {access.can(PERMISSIONS.membersWrite) && (
            <Button type="primary" icon={<UserAddOutlined aria-hidden />}
                    onClick={() => navigate(`/don-vi/${unitId}/doan-vien/moi`)}>Thêm đoàn viên</Button>
          )}
          <Dropdown trigger={['click']} menu={{
            items: [{ key: 'xlsx', label: 'Tải về Excel (.xlsx)' }, { key: 'csv', label: 'Tải về CSV (.csv)' }],
            onClick: ({ key }) => void exportAs(key as 'xlsx' | 'csv'),
          }}>
            <Button icon={<DownloadOutlined aria-hidden />}>Xuất danh sách</Button>
          </Dropdown>
        </Space>
      </div>
      <div className="toolbar">
        <Input.Search
          className="grow"
          allowClear
          value={typed}
          onChange={(event) => setTyped(event.target.value)}
          onSearch={(value) => setFilters({ q: value })}
          placeholder="Tên (gõ có dấu hoặc không), mã đoàn viên, số CCCD, số điện thoại"
          aria-label="Tìm đoàn viên"
          enterButton="Tìm"
        />
        <Button icon={<FilterOutlined aria-hidden />} onClick={() => setShowFilters(!showFilters)} aria-expanded={showFilters}>
          Bộ lọc
        </Button>
        {!phone && columns.chooser}
      </div>
      {showFilters && (
        <Suspense fallback={(
          <div className="toolbar" aria-busy="true"><div className="skeleton-line" style={{ width: '60%' }} /></div>
        )}>
          <FilterBar unitId={unitId} filters={filters} onChange={setFilters} />
        </Suspense>
      )}
      {selected.length > 0 && (
        <Suspense fallback={null}>
          <BulkActions unitId={unitId} selected={selected} access={access} onDone={() => setSelected([])} />
        </Suspense>
      )}
      {search.isError ? (
        <Suspense fallback={null}><ErrorState error={search.error} onRetry={search.refetch} /></Suspense>
      ) : phone ? (
        <MemberCards {...list} />
      ) : (
        <div ref={listBox}>
          {AntTable ? <AntTable {...list} visible={columns.visible} />
            : <PlainMemberTable {...list} visible={columns.visible} />}
        </div>
      )}
      <CursorPager pages={pages} next={search.data?.next_cursor}>
        {/* The browser's own list (a phone's picker, the keyboard's arrows): no Ant Design select before the rows. */}
        <select className="plain-select" aria-label="Số dòng mỗi trang" value={size}
                onChange={(event) => setSize(Number(event.target.value))}>
          {PAGE_SIZES.map((n) => <option key={n} value={n}>{n} dòng/trang</option>)}
        </select>
      </CursorPager>
    </>
  );
}
