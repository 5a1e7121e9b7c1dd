/** The members list on a wider screen: Ant Design's table, with the columns chosen and selection for bulk actions. */

import { Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useMemo } from 'react';
import { Link } from 'react-router';
import { formatDate } from '@/lib/format';
import { CARD_STATUS, GENDER, label, MEMBER_STATUS } from '@/lib/labels';
import type { MemberRow } from '../api/members';
import type { MemberListProps } from './member-cards';

export default function MemberTable({ unitId, rows, busy, emptyText, selected, onSelect, visible }:
  MemberListProps & { visible: (key: string) => boolean }) {
  const columns: (ColumnsType<MemberRow>[number] & { key: string })[] = useMemo(() => [
    { key: 'full_name', title: 'Họ và tên', dataIndex: 'full_name', fixed: 'left', width: 200,
      render: (name: string, row: MemberRow) => <Link to={`/don-vi/${unitId}/doan-vien/${row.member_id}`}>{name}</Link> },
    { key: 'member_code', title: 'Mã đoàn viên', dataIndex: 'member_code', width: 140,
      render: (code: string | null) => code ?? <Typography.Text type="secondary">Chưa cấp</Typography.Text> },
    { key: 'gender', title: 'Giới tính', dataIndex: 'gender', width: 90, render: (g: string) => label(GENDER, g) },
    { key: 'date_of_birth', title: 'Ngày sinh', dataIndex: 'date_of_birth', width: 120, render: formatDate },
    { key: 'unit', title: 'Đơn vị', dataIndex: 'unit_name', width: 260 },
    { key: 'position', title: 'Chức vụ', dataIndex: 'position', width: 160 },
    { key: 'status', title: 'Trạng thái', dataIndex: 'status', width: 170,
      render: (status: string) => <Tag color={MEMBER_STATUS[status]?.color}>{MEMBER_STATUS[status]?.label ?? status}</Tag> },
    { key: 'card_status', title: 'Thẻ', dataIndex: 'card_status', width: 140,
      render: (status: string | null) => label(CARD_STATUS, status ?? 'none') },
  ], [unitId]);
  return (
    <Table<MemberRow>
      rowKey="member_id"
      rowClassName="member-row"
      size="middle"
      loading={busy}
      dataSource={rows ?? []}
      columns={columns.filter((column) => visible(column.key))}
      scroll={{ x: 900 }}
      pagination={false}
      rowSelection={{
        selectedRowKeys: selected.map((row) => row.member_id),
        onChange: (_, chosen) => onSelect(chosen),
        preserveSelectedRowKeys: true,
        // Each box says whom it selects (a screen reader otherwise hears "checkbox" twenty times).
        getCheckboxProps: (row) => ({ 'aria-label': `Chọn ${row.full_name}` }),
      }}
      locale={{ emptyText }}
    />
  );
}
