import { act, cleanup, render, screen, within } from '@testing-library/react';
import { App } from 'antd';
import { MemoryRouter, Route, Routes } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import DashboardPage from './dashboard';

const month = (to: string, members: number, admitted: number) => ({
  from: `${to.slice(0, 8)}01`, to, members_at_start: members - admitted, members_at_end: members, admitted,
  transferred_in: 0, transferred_out: 0, suspended: 0, resumed: 0, retired: 0, removed: 0, left: 0, restructured: 0,
});
const ready = <T,>(data: T) => ({ data, isPending: false, isError: false, isSuccess: true });
const subunits = vi.hoisted(() => ({
  rows: [{ unit_id: 'p1', name: 'Liên đoàn Lao động thành phố Hà Nội', members: 1_234_567, pending: 321 }],
}));

vi.mock('../api/reports', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../api/reports')>()),
  useMemberSummary: () => ready({
    unit_id: 'u1', scope: 'subtree', members: 10_093_210, female: 4_541_944, foreign: 0,
    by_status: { active: 9_386_685, pending: 403_728, suspended: 100_932 }, cards: { requested: 2_018_642 },
  }),
  useMovements: () => ready({ ...month('2026-12-03', 10_093_210, 81_234), from: '2026-01-01', transferred_in: 1_200 }),
  useMonthlyMovements: (_unitId: string, periods: { to: string }[]) =>
    ready(periods.map((p, i) => month(p.to, 10_000_000 + i * 1_000, 5_000 + i))),
  useChildCounts: () => ready(subunits.rows),
}));

function show() {
  render(
    <App>
      <MemoryRouter initialEntries={['/don-vi/u1/bao-cao']}>
        <Routes><Route path="/don-vi/:unitId/bao-cao" element={<DashboardPage />} /></Routes>
      </MemoryRouter>
    </App>,
  );
}

describe('the reports dashboard', { timeout: 60_000 }, () => {
  afterEach(cleanup);

  it('shows the figures, each chart and the table beside it in the first render', () => {
    show();
    // The six numbers, plain HTML: each value named by its label.
    const members = screen.getByText('Đoàn viên hiện nay').closest('.figure') as HTMLElement;
    expect(members.textContent).toContain('10.093.210');
    expect(within(screen.getByText('Thẻ đã in').closest('.figure') as HTMLElement).getByText('0')).toBeTruthy();
    const byStatus = screen.getByRole('region', { name: 'Đoàn viên theo trạng thái' });
    const statusTable = within(byStatus).getByRole('table', { name: 'Đoàn viên theo trạng thái' });
    expect(within(statusTable).getByRole('row', { name: 'Đang sinh hoạt 9.386.685' })).toBeTruthy();
    expect(screen.getByText('Liên đoàn Lao động thành phố Hà Nội')).toBeTruthy();
    // The 12 months' table scrolls under its header: a region the keyboard reaches.
    const months = screen.getByRole('region', { name: 'Đoàn viên cuối mỗi tháng và kết nạp trong tháng, 12 tháng qua' });
    expect(months.tabIndex).toBe(0);
    expect(within(months).getAllByRole('row')).toHaveLength(13);
    // Four charts, each named for screen readers and drawn at once: no chart waits for code of its own.
    const charts = screen.getAllByRole('img');
    expect(charts.map((chart) => chart.getAttribute('aria-label'))).toEqual([
      'Biểu đồ số đoàn viên cuối mỗi tháng và số kết nạp trong tháng, 12 tháng qua',
      'Biểu đồ tròn: đoàn viên theo trạng thái',
      'Biểu đồ cột: biến động đoàn viên trong kỳ',
      'Biểu đồ cột: đoàn viên theo đơn vị trực thuộc (15 đơn vị đông nhất)',
    ]);
    const marks = (chart: HTMLElement, selector: string) =>
      [...chart.querySelectorAll(`svg g:has(> ${selector}) > title`)].map((title) => title.textContent);
    const [overTime, statuses, movements, bySubunit] = charts;
    expect(marks(overTime, 'rect')).toHaveLength(12);
    expect(marks(overTime, 'circle')).toHaveLength(12);
    expect(marks(statuses, 'path')).toEqual([
      'Đang sinh hoạt: 9.386.685 (94,9 %)', 'Chờ duyệt: 403.728 (4,1 %)', 'Tạm dừng sinh hoạt: 100.932 (1 %)',
    ]);
    expect(marks(movements, 'rect').slice(0, 2)).toEqual(['Kết nạp: 81.234', 'Chuyển đến: 1.200']);
    expect(marks(bySubunit, 'rect')).toEqual(['Liên đoàn Lao động thành phố Hà Nội: 1.234.567']);
  });

  it('sorts the subunits by members, ten a page, and gives the period its picker once the figures are shown', async () => {
    subunits.rows = Array.from({ length: 12 }, (_, i) => ({
      unit_id: `p${i}`, name: `Liên đoàn Lao động tỉnh số ${i + 1}`, members: (i + 1) * 1_000, pending: i }));
    show();
    const table = screen.getByRole('table', { name: 'Đoàn viên theo đơn vị trực thuộc' });
    const names = () => within(table).getAllByRole('row').slice(1).map((row) => row.firstElementChild?.textContent);
    expect(names()).toHaveLength(10);
    expect(names()[0]).toBe('Liên đoàn Lao động tỉnh số 12');
    const header = within(table).getByRole('columnheader', { name: /Đoàn viên/ });
    expect(header.getAttribute('aria-sort')).toBe('descending');
    const pages = screen.getByRole('navigation', { name: 'Các trang đơn vị trực thuộc' });
    await act(async () => within(pages).getByRole('button', { name: 'Trang sau' }).click());
    expect(names()).toEqual(['Liên đoàn Lao động tỉnh số 2', 'Liên đoàn Lao động tỉnh số 1']);
    expect(within(pages).getByText('Trang 2/2')).toBeTruthy();
    await act(async () => within(header).getByRole('button').click());
    expect(header.getAttribute('aria-sort')).toBe('ascending');
    expect(names()[0]).toBe('Liên đoàn Lao động tỉnh số 1');
    expect(within(pages).getByText('Trang 1/2')).toBeTruthy();
    // The period shows as text first; its form (Ant Design's date picker) follows.
    await vi.waitFor(() => expect(screen.getByPlaceholderText('Từ ngày')).toBeTruthy(), { timeout: 20_000 });
    expect(screen.getByRole('button', { name: 'Xem' })).toBeTruthy();
  });
});
