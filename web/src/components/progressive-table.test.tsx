import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { useRef } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PlainTable, ProgressiveTable, type TableColumn, useTakeOver } from './progressive-table';

// The browser "idles" at once: the take-over is what is tested, not when the browser schedules it.
vi.mock('@/lib/idle', () => ({ whenIdle: (run: () => void) => { run(); return () => undefined; } }));

type Row = { id: string; month: string; amount: number };
const rows: Row[] = [{ id: 'a', month: '01/2026', amount: 1200 }, { id: 'b', month: '02/2026', amount: 0 }];
const columns: TableColumn<Row>[] = [
  { key: 'month', title: 'Tháng', width: 120, render: (row) => `Tháng ${row.month}` },
  { key: 'amount', title: 'Đã thu (đồng)', width: 140, align: 'right', render: (row) => row.amount.toLocaleString('vi-VN') },
  { key: 'open', title: 'Mở', width: 100, render: (row) => <button type="button">Xem tháng {row.month}</button> },
];
const props = { caption: 'Các tháng', columns, rowKey: (row: Row) => row.id, busy: false, emptyText: 'Chưa có tháng nào', minWidth: 600 };

afterEach(cleanup);

// The first render of Ant Design's table loads its modules, which takes seconds on a busy machine.
describe('PlainTable', { timeout: 60_000 }, () => {
  it('is a table with a caption and column headers, one row per item with the columns\' cells', () => {
    render(<PlainTable {...props} rows={rows} />);
    const table = screen.getByRole('table', { name: 'Các tháng' });
    expect(within(table).getAllByRole('columnheader').map((h) => h.textContent)).toEqual(['Tháng', 'Đã thu (đồng)', 'Mở']);
    const body = within(table).getAllByRole('row').slice(1);
    expect(body.map((row) => row.className)).toEqual(['plain-table-row', 'plain-table-row']);
    expect(within(body[0]).getAllByRole('cell').map((cell) => cell.textContent)).toEqual(['Tháng 01/2026', '1.200', 'Xem tháng 01/2026']);
    expect(within(body[0]).getAllByRole('cell')[1].style.textAlign).toBe('right');
  });

  it('says an empty list in words, is busy while a request is under way, and waits for the first answer', () => {
    const { container, rerender } = render(<PlainTable {...props} rows={[]} busy />);
    expect(screen.getByText('Chưa có tháng nào')).toBeTruthy();
    expect(container.querySelector('[aria-busy="true"]')).not.toBeNull();
    rerender(<PlainTable {...props} rows={undefined} busy />);
    expect(container.querySelector('.plain-table-row')).toBeNull();
    expect(container.querySelector('.css-spinner')).not.toBeNull();
  });
});

describe('ProgressiveTable', { timeout: 60_000 }, () => {
  it('shows the rows plain first, then Ant Design\'s table with the same cells takes over', async () => {
    const { container } = render(<ProgressiveTable {...props} rows={rows} />);
    expect(container.querySelectorAll('tr.plain-table-row')).toHaveLength(2);
    await waitFor(() => expect(container.querySelectorAll('tr.ant-table-row')).toHaveLength(2), { timeout: 30_000 });
    expect(container.querySelector('tr.plain-table-row')).toBeNull();
    const first = container.querySelector('tr.ant-table-row') as HTMLElement;
    expect(within(first).getAllByRole('cell').map((cell) => cell.textContent)).toEqual(['Tháng 01/2026', '1.200', 'Xem tháng 01/2026']);
    expect(screen.getByRole('table', { name: 'Các tháng' })).toBeTruthy();
  });
});

describe('useTakeOver', () => {
  function Harness({ load, wanted }: { load: () => Promise<string>; wanted: boolean }) {
    const box = useRef<HTMLDivElement>(null);
    const loaded = useTakeOver(load, () => undefined, wanted, box);
    return (
      <>
        <div ref={box}><button type="button">{loaded ?? 'trước'}</button></div>
        <button type="button">ngoài</button>
      </>
    );
  }

  it('loads nothing until wanted, then takes over', async () => {
    const load = vi.fn(() => Promise.resolve('sau'));
    const { rerender } = render(<Harness load={load} wanted={false} />);
    expect(load).not.toHaveBeenCalled();
    rerender(<Harness load={load} wanted />);
    expect(await screen.findByRole('button', { name: 'sau' })).toBeTruthy();
  });

  it('waits while the focus is inside, and takes over once it leaves', async () => {
    render(<Harness load={() => Promise.resolve('sau')} wanted />);
    const inside = screen.getByRole('button', { name: 'trước' });
    inside.focus();
    // Long enough for the load to have resolved: it would have taken over by now.
    await act(() => new Promise((done) => setTimeout(done, 50)));
    expect(screen.getByRole('button', { name: 'trước' })).toBeTruthy();
    const outside = screen.getByRole('button', { name: 'ngoài' });
    fireEvent.focusOut(inside, { relatedTarget: outside });
    expect(await screen.findByRole('button', { name: 'sau' })).toBeTruthy();
  });
});
