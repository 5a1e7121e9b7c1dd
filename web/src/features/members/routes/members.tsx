/**
 * Đoàn viên: the members of the unit's subtree, server-paged (keyset), with the search box (name without
 * diacritics, member code, ID number, phone), filters, a column chooser, selection for bulk actions, and export of
 * the current filter.
 */

import { DownloadOutlined, FilterOutlined, UserAddOutlined } from '@ant-design/icons';
import { App, Button, Dropdown, Input, Select, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { CursorPager, useCursorPages } from '@/components/cursor-pager';
import { ErrorState, problemMessage } from '@/components/query-state';
import { UnitName } from '@/components/units/unit-name';
import { PERMISSIONS, useAccess } from '@/lib/access';
import { download } from '@/lib/files';
import { formatDate } from '@/lib/format';
import { CARD_STATUS, ENTERPRISE_TYPE, GENDER, label, MEMBER_STATUS } from '@/lib/labels';
import { type MemberRow, useMemberSearch } from '../api/members';
import { useColumnChoice } from '../components/column-chooser';
import {
  type Filters, filtersOf, firstPageSize, PAGE_SIZES, paramsOf, searchQuery,
} from '../components/member-filters';

const FIRST_PAGE_SIZE = firstPageSize();
// What the list does not show until asked for (the unit filter, the bulk actions of a selection) loads when it is:
// on a slow phone the first page of rows waits for less code.
const UnitPicker = lazy(() => import('@/components/units/unit-picker').then((m) => ({ default: m.UnitPicker })));
const BulkActions = lazy(() => import('../components/bulk-actions').then((m) => ({ default: m.BulkActions })));

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

  const allColumns: (ColumnsType<MemberRow>[number] & { key: string; title: string })[] = useMemo(() => [
    { key: 'full_name', title: 'Họ và tên', dataIndex: 'full_name', fixed: 'left', width: 200,
      render: (name: string, row: MemberRow) => <Link to={`/don-vi/${unitId}/doan-vien/${row.member_id}`}>{name}</Link> },
    { key: 'member_code', title: 'Mã đoàn viên', dataIndex: 'member_code', width: 140,
      render: (code: string | null) => code ?? <Typography.Text type="secondary">Chưa cấp</Typography.Text> },
    { key: 'gender', title: 'Giới tính', dataIndex: 'gender', width: 90, render: (g: string) => label(GENDER, g) },
    { key: 'date_of_birth', title: 'Ngày sinh', dataIndex: 'date_of_birth', width: 120, render: formatDate },
    { key: 'unit', title: 'Đơn vị', dataIndex: 'unit_id', width: 260, render: (id: string) => <UnitName unitId={id} /> },
    { key: 'position', title: 'Chức vụ', dataIndex: 'position', width: 160 },
    { key: 'status', title: 'Trạng thái', dataIndex: 'status', width: 170,
      render: (status: string) => <Tag color={MEMBER_STATUS[status]?.color}>{MEMBER_STATUS[status]?.label ?? status}</Tag> },
    { key: 'card_status', title: 'Thẻ', dataIndex: 'card_status', width: 140,
      render: (status: string | null) => label(CARD_STATUS, status ?? 'none') },
  ], [unitId]);
  const columns = useColumnChoice('members.columns', allColumns, ['position']);

  const exportAs = async (format: 'xlsx' | 'csv') => {
    const hide = message.loading('Đang chuẩn bị tệp…', 0);
    try {
      const { limit: _limit, after: _after, ...query } = searchQuery(unitId, filters, 1);
      await download('/api/v1/members/export', { ...query, format } as never, `doan-vien.${format}`);
    } catch (error) {
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
        {columns.chooser}
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
        <ErrorState error={search.error} onRetry={search.refetch} />
      ) : (
        <Table<MemberRow>
          rowKey="member_id"
          size="middle"
          loading={search.isFetching}
          dataSource={search.data?.items ?? []}
          columns={allColumns.filter((column) => columns.visible(column.key))}
          scroll={{ x: 900 }}
          pagination={false}
          rowSelection={{
            selectedRowKeys: selected.map((row) => row.member_id),
            onChange: (_, rows) => setSelected(rows),
            preserveSelectedRowKeys: true,
          }}
          locale={{ emptyText: filters.q || filters.status.length ? 'Không có đoàn viên nào khớp bộ lọc' : 'Đơn vị chưa có đoàn viên' }}
        />
      )}
      <CursorPager pages={pages} next={search.data?.next_cursor}>
        <Select aria-label="Số dòng mỗi trang" value={size} onChange={setSize}
                options={PAGE_SIZES.map((n) => ({ value: n, label: `${n} dòng/trang` }))} />
      </CursorPager>
    </>
  );
}
