/**
 * The dashboard's tables, plain HTML: each chart's figures in text beside it, and the direct subunits (sorted by
 * members, ten a page). Ant Design's table brought ~170 KB of code (the table, its filters' tree, dropdown and
 * checkbox) that a phone evaluated, with its styles, before the dashboard's first figure; these tables have
 * nothing it was needed for. Screen readers get a table with its caption, column headers and sort state.
 */

import { type CSSProperties, type ReactNode, useState } from 'react';
import { formatNumber } from '@/lib/format';

export type Column<Row> = { title: string; value: (row: Row) => ReactNode; numeric?: boolean };

const TABLE: CSSProperties = { width: '100%', borderCollapse: 'collapse' };
const HEAD: CSSProperties = {
  padding: '8px', background: '#fafafa', borderBottom: '1px solid #f0f0f0', fontWeight: 600, textAlign: 'left',
  position: 'sticky', top: 0,
};
const CELL: CSSProperties = { padding: '8px', borderBottom: '1px solid #f0f0f0', overflowWrap: 'anywhere' };
const NUMERIC: CSSProperties = { textAlign: 'right', whiteSpace: 'nowrap' };
const SMALL_BUTTON: CSSProperties = {
  minHeight: 32, padding: '4px 12px', font: 'inherit', color: 'inherit', background: '#fff',
  border: '1px solid #d9d9d9', borderRadius: 6, cursor: 'pointer',
};

/** A number, or a dash where there is none (a month before the figures start). */
export const orDash = (value: number | null | undefined) => (value == null ? '—' : formatNumber(value));

function Head<Row>({ column, children }: { column: Column<Row>; children?: ReactNode }) {
  return <th scope="col" style={column.numeric ? { ...HEAD, ...NUMERIC } : HEAD}>{children ?? column.title}</th>;
}

function Body<Row>({ rows, columns, rowKey, busy }: {
  rows: Row[]; columns: Column<Row>[]; rowKey: (row: Row) => string; busy: boolean;
}) {
  return (
    <tbody>
      {busy && rows.length === 0 && <tr><td colSpan={columns.length} style={CELL}>Đang tải…</td></tr>}
      {!busy && rows.length === 0 && <tr><td colSpan={columns.length} style={CELL}>Chưa có số liệu</td></tr>}
      {rows.map((row) => (
        <tr key={rowKey(row)}>
          {columns.map((column) => (
            <td key={column.title} style={column.numeric ? { ...CELL, ...NUMERIC } : CELL}>{column.value(row)}</td>
          ))}
        </tr>
      ))}
    </tbody>
  );
}

/** A chart's figures. `maxHeight`: the body scrolls under its header (a region a keyboard can scroll). */
export function FigureTable<Row>({ caption, rows, columns, rowKey, busy = false, maxHeight }: {
  caption: string; rows: Row[]; columns: Column<Row>[]; rowKey: (row: Row) => string; busy?: boolean;
  maxHeight?: number;
}) {
  const table = (
    <table style={TABLE} aria-busy={busy}>
      <caption className="visually-hidden">{caption}</caption>
      <thead><tr>{columns.map((column) => <Head key={column.title} column={column} />)}</tr></thead>
      <Body rows={rows} columns={columns} rowKey={rowKey} busy={busy} />
    </table>
  );
  if (!maxHeight) return table;
  return (
    // A scrolling region takes the keyboard's focus, so that it can be scrolled without a mouse.
    <div role="region" aria-label={caption} tabIndex={0} style={{ maxHeight, overflowY: 'auto' }}>{table}</div>
  );
}

export type Subunit = { unit_id: string; name: string; members: number; pending: number };

const PAGE = 10;

/** The direct subunits: the most members first (a tap on the column's header turns the order), ten a page. */
export function SubunitTable({ rows, busy }: { rows: Subunit[]; busy: boolean }) {
  const [descending, setDescending] = useState(true);
  const [page, setPage] = useState(0);
  const pages = Math.max(1, Math.ceil(rows.length / PAGE));
  const shown = Math.min(page, pages - 1);
  const sorted = [...rows].sort((a, b) => (descending ? b.members - a.members : a.members - b.members));
  const name: Column<Subunit> = { title: 'Đơn vị', value: (row) => row.name };
  const members: Column<Subunit> = { title: 'Đoàn viên', value: (row) => formatNumber(row.members), numeric: true };
  const pending: Column<Subunit> = { title: 'Chờ duyệt', value: (row) => formatNumber(row.pending), numeric: true };
  return (
    <>
      <table style={TABLE} aria-busy={busy}>
        <caption className="visually-hidden">Đoàn viên theo đơn vị trực thuộc</caption>
        <thead>
          <tr>
            <Head column={name} />
            <th scope="col" style={{ ...HEAD, ...NUMERIC }} aria-sort={descending ? 'descending' : 'ascending'}>
              <button type="button" onClick={() => { setDescending(!descending); setPage(0); }}
                      title={descending ? 'Sắp xếp tăng dần' : 'Sắp xếp giảm dần'}
                      style={{ padding: 0, font: 'inherit', fontWeight: 600, color: 'inherit', background: 'none',
                               border: 0, cursor: 'pointer', minHeight: 24 }}>
                Đoàn viên <span aria-hidden="true">{descending ? '▼' : '▲'}</span>
              </button>
            </th>
            <Head column={pending} />
          </tr>
        </thead>
        <Body rows={sorted.slice(shown * PAGE, shown * PAGE + PAGE)} columns={[name, members, pending]}
              rowKey={(row) => row.unit_id} busy={busy} />
      </table>
      {pages > 1 && (
        <nav aria-label="Các trang đơn vị trực thuộc"
             style={{ display: 'flex', gap: 8, alignItems: 'center', justifyContent: 'flex-end', marginTop: 12 }}>
          <button type="button" style={SMALL_BUTTON} disabled={shown === 0} onClick={() => setPage(shown - 1)}>
            Trang trước
          </button>
          <span aria-live="polite">Trang {shown + 1}/{pages}</span>
          <button type="button" style={SMALL_BUTTON} disabled={shown === pages - 1} onClick={() => setPage(shown + 1)}>
            Trang sau
          </button>
        </nav>
      )}
    </>
  );
}
