/**
 * Đoàn viên: the members of the unit's subtree, server-paged (keyset), with the search box (name without
 * diacritics, member code, ID number, phone), filters, a column chooser, selection for bulk actions, and export of
 * the current filter.
 */

import { DownloadOutlined, FilterOutlined, UserAddOutlined } from '@ant-design/icons';
import { App, Button, Dropdown, Input, Select, Space } from 'antd';
import { lazy, Suspense, useEffect, useState } from 'react';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import { CursorPager, useCursorPages } from '@/components/cursor-pager';
import { PERMISSIONS, useAccess } from '@/lib/access';
import { download } from '@/lib/files';
import { CARD_STATUS, ENTERPRISE_TYPE, GENDER, MEMBER_STATUS } from '@/lib/labels';
import { type MemberRow, useMemberSearch } from '../api/members';
import { useColumnChoice } from '../components/column-chooser';
import { MemberCards } from '../components/member-cards';
import {
  FIRST_PAGE_SIZE, type Filters, filtersOf, MEMBER_COLUMNS, PAGE_SIZES, paramsOf, PHONE, searchQuery, usePhone,
} from '../components/member-filters';

// What the list does not show until asked for (the unit filter, the bulk actions of a selection) loads when it is:
// on a slow phone the first page of rows waits for less code. A phone shows cards, so it never loads the table.
const UnitPicker = lazy(() => import('@/components/units/unit-picker').then((m) => ({ default: m.UnitPicker })));
const BulkActions = lazy(() => import('../components/bulk-actions').then((m) => ({ default: m.BulkActions })));
// A wider screen starts loading the table with this screen's code (its page names the table's files too) and
// renders it directly once it is there: rendered lazily, the table showed its fallback first, and React holds back
// the content that replaces a fallback for up to 300 ms, which a desktop trace showed as idle time between the rows'
// data and the rows. (Not a top-level await: that made the build split the app's entry into a dozen files.)
let loadedTable: typeof import('../components/member-table').default | undefined;
const loadTable = () => import('../components/member-table').then((module) => {
  loadedTable = module.default;
  return module;
});
if (!window.matchMedia(PHONE).matches) void loadTable();
const LazyTable = lazy(loadTable);
// The error state's illustrations are the largest part of its code: they load when a list fails.
const ErrorState = lazy(() => import('@/components/query-state').then((m) => ({ default: m.ErrorState })));

const options = (table: Record<string, string>) => Object.entries(table).map(([value, text]) => ({ value, label: text }));

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
  // Chosen once per visit of the list: switching would remount the table.
  const [MemberTable] = useState(() => loadedTable ?? LazyTable);

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
        <div className="toolbar" role="group" aria-label="Bộ lọc">
          <Select mode="multiple" allowClear placeholder="Trạng thái" aria-label="Lọc theo trạng thái"
                  style={{ minWidth: 220 }} value={filters.status}
                  options={Object.entries(MEMBER_STATUS).map(([value, s]) => ({ value, label: s.label }))}
                  onChange={(status) => setFilters({ status })} />
          <Select allowClear placeholder="Giới tính" aria-label="Lọc theo giới tính" style={{ width: 130 }}
                  value={filters.gender} options={options(GENDER)} onChange={(gender) => setFilters({ gender })} />
          <Select allowClear placeholder="Thẻ đoàn viên" aria-label="Lọc theo thẻ" style={{ width: 170 }}
                  value={filters.card_status}
                  options={options({ none: CARD_STATUS.none, requested: CARD_STATUS.requested, printed: CARD_STATUS.printed,
                                     delivered: CARD_STATUS.delivered })}
                  onChange={(card_status) => setFilters({ card_status })} />
          <Select allowClear placeholder="Loại hình doanh nghiệp" aria-label="Lọc theo loại hình doanh nghiệp"
                  style={{ width: 260 }} value={filters.enterprise_type} options={options(ENTERPRISE_TYPE)}
                  onChange={(enterprise_type) => setFilters({ enterprise_type })} />
          <div style={{ minWidth: 240, flex: '1 1 240px' }}>
            <Suspense fallback={null}>
              <UnitPicker rootIds={[unitId]} value={filters.unit} allowClear placeholder="Đơn vị trực thuộc"
                          onChange={(unit) => setFilters({ unit })} />
            </Suspense>
          </div>
        </div>
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
        <Suspense fallback={<div className="full-page-spin" style={{ minHeight: 120 }}><div className="css-spinner" /></div>}>
          <MemberTable {...list} visible={columns.visible} />
        </Suspense>
      )}
      <CursorPager pages={pages} next={search.data?.next_cursor}>
        <Select aria-label="Số dòng mỗi trang" value={size} onChange={setSize}
                options={PAGE_SIZES.map((n) => ({ value: n, label: `${n} dòng/trang` }))} />
      </CursorPager>
    </>
  );
}
