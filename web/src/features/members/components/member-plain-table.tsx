/**
 * The members list's first rows on a wider screen: a plain HTML table with the columns chosen and the same cells
 * as Ant Design's (member-columns.tsx), so the rows show without waiting for that table's code (its files are the
 * largest of the list's, fetched and compiled on a first visit before a row could show). Everything an officer
 * needs is there: the names link to the members, the boxes select them (one per row, one for the page), the
 * busy state is announced. Ant Design's table takes over once its code has loaded (routes/members.tsx).
 */

import type { MemberListProps } from './member-cards';
import { MEMBER_COLUMNS, TABLE_MIN_WIDTH } from './member-columns';

export function PlainMemberTable({ unitId, rows, busy, emptyText, selected, onSelect, visible }:
  MemberListProps & { visible: (key: string) => boolean }) {
  const columns = MEMBER_COLUMNS.filter((column) => visible(column.key));
  const chosen = new Set(selected.map((row) => row.member_id));
  const shown = rows ?? [];
  const allChosen = shown.length > 0 && shown.every((row) => chosen.has(row.member_id));
  const toggle = (row: (typeof shown)[number], on: boolean) =>
    onSelect(on ? [...selected, row] : selected.filter((s) => s.member_id !== row.member_id));
  const toggleAll = (on: boolean) => {
    const others = selected.filter((s) => !shown.some((row) => row.member_id === s.member_id));
    onSelect(on ? [...others, ...shown] : others);
  };
  return (
    <div className="member-table" aria-busy={busy}>
      <table style={{ minWidth: TABLE_MIN_WIDTH }}>
        <caption className="visually-hidden">Danh sách đoàn viên</caption>
        <colgroup>
          <col style={{ width: 32 }} />
          {columns.map((column) => <col key={column.key} style={{ width: column.width }} />)}
        </colgroup>
        <thead>
          <tr>
            <th scope="col" className="member-table-select">
              <input type="checkbox" aria-label="Chọn cả trang" checked={allChosen} disabled={!shown.length}
                     onChange={(event) => toggleAll(event.target.checked)} />
            </th>
            {columns.map((column) => (
              <th scope="col" key={column.key} className={column.key === 'full_name' ? 'member-table-name' : undefined}>
                {column.title}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {shown.map((row) => (
            <tr className="member-row" key={row.member_id}>
              <td className="member-table-select">
                <input type="checkbox" aria-label={`Chọn ${row.full_name}`} checked={chosen.has(row.member_id)}
                       onChange={(event) => toggle(row, event.target.checked)} />
              </td>
              {columns.map((column) => (
                <td key={column.key} className={column.key === 'full_name' ? 'member-table-name' : undefined}>
                  {column.cell(row, unitId)}
                </td>
              ))}
            </tr>
          ))}
          {rows?.length === 0 && (
            <tr><td colSpan={columns.length + 1} className="member-table-empty">{emptyText}</td></tr>
          )}
        </tbody>
      </table>
      {rows === undefined && <div className="full-page-spin" style={{ minHeight: 120 }}><div className="css-spinner" /></div>}
    </div>
  );
}
