/**
 * Đoàn viên: the members of the unit's subtree, server-paged (keyset), with the search box (name without
 * diacritics, member code, ID number, phone), filters, a column chooser, selection for bulk actions, and export of
 * the current filter.
 * A plain screen (app/layout/shell.tsx): its first view (the toolbar, the rows, the pager) is plain HTML, and Ant
 * Design loads for the parts that need it (the filters, the bulk actions, the error state, a wider screen's table).
 */

import { DownloadOutlined, FilterOutlined, UserAddOutlined } from '@ant-design/icons';
import { lazy, useEffect, useRef, useState } from 'react';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import { CursorPager, useCursorPages } from '@/components/cursor-pager';
import { PlainMenu } from '@/components/plain-menu';
import { useTakeOver } from '@/components/progressive-table';
import { afterFirstView, WithAntd } from '@/components/with-antd';
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
const antTable = afterFirstView(() => import('../components/member-table').then((module) => module.default));
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
  const [exporting, setExporting] = useState<'busy' | { failed: string }>();
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
  const AntTable = useTakeOver(antTable.load, antTable.loaded, !phone && search.data !== undefined, listBox);

  const list = {
    unitId,
    rows: search.data?.items,
    busy: search.isFetching,
    selected,
    onSelect: setSelected,
    emptyText: filters.q || filters.status.length ? 'Không có đoàn viên nào khớp bộ lọc' : 'Đơn vị chưa có đoàn viên',
  };

  const exportAs = async (format: 'xlsx' | 'csv') => {
    setExporting('busy');
    try {
      const { limit: _limit, after: _after, ...query } = searchQuery(unitId, filters, 1);
      await download('/api/v1/members/export', { ...query, format } as never, `doan-vien.${format}`);
      setExporting(undefined);
    } catch (error) {
      const { problemMessage } = await import('@/components/query-state');
      setExporting({ failed: problemMessage(error) });
    }
  };

  return (
    <>
      <div className="page-header">
        <h1>Đoàn viên</h1>
        <div className="plain-space">
          {access.can(PERMISSIONS.membersWrite) && (
            <button type="button" className="plain-button middle" onClick={() => navigate(`/don-vi/${unitId}/doan-vien/moi`)}>
              <UserAddOutlined aria-hidden /> Thêm đoàn viên
            </button>
          )}
          <PlainMenu
            button={<><DownloadOutlined aria-hidden /> Xuất danh sách</>}
            items={[{ key: 'xlsx', label: 'Tải về Excel (.xlsx)' }, { key: 'csv', label: 'Tải về CSV (.csv)' }]}
            onSelect={(key) => void exportAs(key as 'xlsx' | 'csv')}
          />
        </div>
      </div>
      <div role="status">
        {exporting === 'busy' && <p className="plain-notice">Đang chuẩn bị tệp…</p>}
      </div>
      {typeof exporting === 'object' && <p className="plain-alert" role="alert">{exporting.failed}</p>}
      <form role="search" className="toolbar" onSubmit={(event) => {
        event.preventDefault();
        setFilters({ q: typed.trim() });
      }}>
        <span className="plain-search grow">
          <input type="search" className="plain-input middle" value={typed} maxLength={200}
                 onChange={(event) => {
                   setTyped(event.target.value);
                   // Emptied (the box's own ✕ too): the whole list again, as before the search.
                   if (!event.target.value && filters.q) setFilters({ q: '' });
                 }}
                 placeholder="Tên (gõ có dấu hoặc không), mã đoàn viên, số CCCD, số điện thoại"
                 aria-label="Tìm đoàn viên" />
          <button type="submit" className="plain-button middle">Tìm</button>
        </span>
        <button type="button" className="plain-button secondary middle" aria-expanded={showFilters}
                onClick={() => setShowFilters(!showFilters)}>
          <FilterOutlined aria-hidden /> Bộ lọc
        </button>
        {!phone && columns.chooser}
      </form>
      {showFilters && (
        <WithAntd fallback={(
          <div className="toolbar" aria-busy="true"><div className="skeleton-line" style={{ width: '60%' }} /></div>
        )}>
          <FilterBar unitId={unitId} filters={filters} onChange={setFilters} />
        </WithAntd>
      )}
      {selected.length > 0 && (
        <WithAntd>
          <BulkActions unitId={unitId} selected={selected} access={access} onDone={() => setSelected([])} />
        </WithAntd>
      )}
      {search.isError ? (
        <WithAntd><ErrorState error={search.error} onRetry={search.refetch} /></WithAntd>
      ) : phone ? (
        <MemberCards {...list} />
      ) : (
        <div ref={listBox}>
          {AntTable ? (
            <WithAntd fallback={<PlainMemberTable {...list} visible={columns.visible} />}>
              <AntTable {...list} visible={columns.visible} />
            </WithAntd>
          ) : <PlainMemberTable {...list} visible={columns.visible} />}
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
