/**
 * The members list on a phone: a card per member (name, member code, unit, status), plain HTML rather than Ant
 * Design's table, whose code and layout cost a slow phone about a second before the first row shows. It keeps a
 * table's semantics (explicit roles, since the cards change the cells' display) so a screen reader reads rows and
 * cells with their column names, and the same selection as the desktop table. Tapping a card opens the member.
 */

import { Link } from 'react-router';
import type { MemberRow } from '../api/members';
import { StatusTag } from './member-columns';

/** What both renderings of the members list (these cards, the desktop table) are given. */
export type MemberListProps = {
  unitId: string;
  rows: MemberRow[] | undefined;
  busy: boolean;
  emptyText: string;
  selected: MemberRow[];
  onSelect: (rows: MemberRow[]) => void;
};

export function MemberCards({ unitId, rows, busy, emptyText, selected, onSelect }: MemberListProps) {
  const chosen = new Set(selected.map((row) => row.member_id));
  const toggle = (row: MemberRow, on: boolean) =>
    onSelect(on ? [...selected, row] : selected.filter((s) => s.member_id !== row.member_id));
  return (
    <div className="member-cards" aria-busy={busy}>
      <table role="table" aria-label="Danh sách đoàn viên">
        <thead role="rowgroup" className="visually-hidden">
          <tr role="row">
            <th role="columnheader">Chọn</th>
            <th role="columnheader">Họ và tên</th>
            <th role="columnheader">Mã đoàn viên</th>
            <th role="columnheader">Đơn vị</th>
            <th role="columnheader">Trạng thái</th>
          </tr>
        </thead>
        <tbody role="rowgroup">
          {rows?.map((row) => {
            return (
              <tr role="row" className="member-row" key={row.member_id}>
                <td role="cell" className="member-row-select">
                  <input type="checkbox" aria-label={`Chọn ${row.full_name}`} checked={chosen.has(row.member_id)}
                         onChange={(event) => toggle(row, event.target.checked)} />
                </td>
                <td role="cell" className="member-row-name">
                  <Link to={`/don-vi/${unitId}/doan-vien/${row.member_id}`}>{row.full_name}</Link>
                </td>
                <td role="cell">{row.member_code ?? <span className="muted">Chưa cấp mã</span>}</td>
                <td role="cell" className="member-row-unit">{row.unit_name}</td>
                <td role="cell"><StatusTag status={row.status} /></td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {rows === undefined && <div className="full-page-spin" style={{ minHeight: 120 }}><div className="css-spinner" /></div>}
      {rows?.length === 0 && <p className="member-cards-empty">{emptyText}</p>}
    </div>
  );
}
