/**
 * A list's first rows in a plain HTML table, then Ant Design's table once its code has loaded (when the browser idles
 * after those rows): on a slow phone that table's code (the largest of a list screen's) was fetched and compiled
 * before a row could show. Both draw the same columns and cells, so the take-over changes nothing an officer reads;
 * while a cell of the plain table has the focus, it waits until the focus leaves (`useTakeOver`).
 */

import { type ReactNode, type RefObject, useEffect, useRef, useState } from 'react';
import { whenIdle } from '@/lib/idle';
import { afterFirstView, WithAntd } from './with-antd';

export type TableColumn<Row> = {
  key: string;
  title: ReactNode;
  width: number;
  align?: 'right';
  render: (row: Row) => ReactNode;
};

export type TableProps<Row> = {
  /** What the table lists, said to a screen reader (the plain table's caption, Ant Design's table's label). */
  caption: string;
  columns: TableColumn<Row>[];
  /** undefined while the first answer is on its way. */
  rows: Row[] | undefined;
  rowKey: (row: Row) => string;
  busy: boolean;
  emptyText: ReactNode;
  /** The width below which the table scrolls sideways. */
  minWidth: number;
};

type ProgressiveProps<Row> = TableProps<Row> & {
  /** While true, Ant Design's table waits: what the officer sees loads first (the audit trail's filters). */
  deferTakeOver?: boolean;
};

// With Ant Design's provider: on a plain screen (app/layout/shell.tsx) there is none around the table.
const antTable = afterFirstView(() => import('./progressive-table-ant').then((module) => module.default));

/** The rows, plain until Ant Design's table has loaded and takes over. */
export function ProgressiveTable<Row extends object>({ deferTakeOver = false, ...props }: ProgressiveProps<Row>) {
  const box = useRef<HTMLDivElement>(null);
  const Loaded = useTakeOver(antTable.load, antTable.loaded, props.rows !== undefined && !deferTakeOver, box);
  return (
    <div ref={box}>
      {Loaded ? <WithAntd fallback={<PlainTable {...props} />}><Loaded<Row> {...props} /></WithAntd> : <PlainTable {...props} />}
    </div>
  );
}

/** The rows in plain HTML, drawn like Ant Design's small table (app.css `.plain-table`). */
export function PlainTable<Row>({ caption, columns, rows, rowKey, busy, emptyText, minWidth }: TableProps<Row>) {
  return (
    <div className="plain-table" aria-busy={busy}>
      <table style={{ minWidth }}>
        <caption className="visually-hidden">{caption}</caption>
        <colgroup>{columns.map((column) => <col key={column.key} style={{ width: column.width }} />)}</colgroup>
        <thead>
          <tr>
            {columns.map((column) => (
              <th scope="col" key={column.key} style={{ textAlign: column.align }}>{column.title}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {(rows ?? []).map((row) => (
            <tr className="plain-table-row" key={rowKey(row)}>
              {columns.map((column) => (
                <td key={column.key} style={{ textAlign: column.align }}>{column.render(row)}</td>
              ))}
            </tr>
          ))}
          {rows?.length === 0 && (
            <tr><td colSpan={columns.length} className="plain-table-empty">{emptyText}</td></tr>
          )}
        </tbody>
      </table>
      {rows === undefined && <div className="full-page-spin" style={{ minHeight: 120 }}><div className="css-spinner" /></div>}
    </div>
  );
}

/**
 * The component `load` brings once `wanted` (the first rows shown): loaded when the browser idles, then returned
 * (at once if `loaded()` already has it, from an earlier visit). While the focus is inside `box` (a link, a box of
 * the plain table), it waits until the focus leaves, so the swap never takes the focus away.
 */
export function useTakeOver<T>(load: () => Promise<T>, loaded: () => T | undefined, wanted: boolean,
  box: RefObject<HTMLElement | null>): T | undefined {
  const [component, setComponent] = useState(loaded);
  useEffect(() => {
    if (!wanted || component) return undefined;
    let done = false;
    let detach = () => {};
    const takeOver = (ready: T) => {
      const element = box.current;
      if (done) return;
      if (element?.contains(document.activeElement)) {
        const left = (event: FocusEvent) => {
          if (element.contains(event.relatedTarget as Node | null)) return;
          element.removeEventListener('focusout', left);
          if (!done) setComponent(() => ready);
        };
        element.addEventListener('focusout', left);
        detach = () => element.removeEventListener('focusout', left);
        return;
      }
      setComponent(() => ready);
    };
    const cancel = whenIdle(() => void load().then(takeOver, () => undefined), 2_000);
    return () => {
      done = true;
      cancel();
      detach();
    };
  }, [wanted, component, box, load]);
  return component;
}
