/**
 * The members list's columns on a wider screen, as both of its tables render them: the plain table of the first rows
 * (member-plain-table.tsx) and Ant Design's, which takes over once its code has loaded (member-table.tsx). One
 * definition, so the two show the same cells and the column chooser names the same columns.
 */

import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { formatDate } from '@/lib/format';
import { CARD_STATUS, GENDER, label, MEMBER_STATUS } from '@/lib/labels';
import type { MemberRow } from '../api/members';

export type MemberColumn = {
  key: string;
  title: string;
  width: number;
  cell: (row: MemberRow, unitId: string) => ReactNode;
};

/** A member's status as a tag in AA colours (app.css `.status-tag`), the same on a phone's cards. */
export function StatusTag({ status }: { status: string }) {
  const known = MEMBER_STATUS[status];
  return <span className={`status-tag ${known?.color ?? 'default'}`}>{known?.label ?? status}</span>;
}

export const MEMBER_COLUMNS: MemberColumn[] = [
  { key: 'full_name', title: 'Họ và tên', width: 200,
    cell: (row, unitId) => <Link to={`/don-vi/${unitId}/doan-vien/${row.member_id}`}>{row.full_name}</Link> },
  { key: 'member_code', title: 'Mã đoàn viên', width: 140,
    cell: (row) => row.member_code ?? <span className="muted">Chưa cấp</span> },
  { key: 'gender', title: 'Giới tính', width: 90, cell: (row) => label(GENDER, row.gender) },
  { key: 'date_of_birth', title: 'Ngày sinh', width: 120, cell: (row) => formatDate(row.date_of_birth) },
  { key: 'unit', title: 'Đơn vị', width: 260, cell: (row) => row.unit_name },
  { key: 'position', title: 'Chức vụ', width: 160, cell: (row) => row.position },
  { key: 'status', title: 'Trạng thái', width: 170, cell: (row) => <StatusTag status={row.status} /> },
  { key: 'card_status', title: 'Thẻ', width: 140, cell: (row) => label(CARD_STATUS, row.card_status ?? 'none') },
];

/** The table's width below which it scrolls sideways (the name column stays in view). */
export const TABLE_MIN_WIDTH = 900;
