import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import type { ReactNode } from 'react';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { memberRow, UNIT } from '@/testing/members';
import { MemberCards } from './member-cards';

const row = memberRow;

function wrap(children: ReactNode) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false, queryFn: () => new Promise(() => {}) } } });
  return render(
    <QueryClientProvider client={client}><MemoryRouter>{children}</MemoryRouter></QueryClientProvider>,
  );
}

afterEach(cleanup);

// The first render loads Ant Design's modules, which takes seconds on a busy machine.
describe('MemberCards', { timeout: 60_000 }, () => {
  it('shows each member as a row whose cells name the member, the code, the status, and link to the member', () => {
    wrap(<MemberCards unitId={UNIT} rows={[row(1), row(2, { member_code: null, status: 'pending' })]} busy={false}
                      emptyText="Đơn vị chưa có đoàn viên" selected={[]} onSelect={() => undefined} />);
    const rows = screen.getAllByRole('row').slice(1);
    expect(rows).toHaveLength(2);
    expect(within(rows[0]).getByRole('link', { name: 'Nguyễn Thị Lan 1' }).getAttribute('href'))
      .toBe(`/don-vi/${UNIT}/doan-vien/${row(1).member_id}`);
    expect(rows[0].textContent).toContain('CD001');
    expect(within(rows[0]).getAllByRole('cell')[3].textContent).toBe('CĐCS Công ty May 10');
    expect(rows[0].textContent).toContain('Đang sinh hoạt');
    expect(rows[1].textContent).toContain('Chưa cấp mã');
    expect(rows[1].textContent).toContain('Chờ duyệt');
    expect(screen.getAllByRole('columnheader').map((h) => h.textContent)).toContain('Mã đoàn viên');
  });

  it('adds a ticked member to the selection and takes an unticked one out of it', () => {
    const onSelect = vi.fn();
    const first = row(1);
    const second = row(2);
    wrap(<MemberCards unitId={UNIT} rows={[first, second]} busy={false} emptyText="" selected={[first]}
                      onSelect={onSelect} />);
    const firstBox = screen.getByRole('checkbox', { name: 'Chọn Nguyễn Thị Lan 1' }) as HTMLInputElement;
    expect(firstBox.checked).toBe(true);
    fireEvent.click(screen.getByRole('checkbox', { name: 'Chọn Nguyễn Thị Lan 2' }));
    expect(onSelect).toHaveBeenLastCalledWith([first, second]);
    fireEvent.click(firstBox);
    expect(onSelect).toHaveBeenLastCalledWith([]);
  });

  it('says the list is empty in words, and is busy while a search is under way', () => {
    const { container } = wrap(<MemberCards unitId={UNIT} rows={[]} busy emptyText="Không có đoàn viên nào khớp bộ lọc"
                                            selected={[]} onSelect={() => undefined} />);
    expect(screen.getByText('Không có đoàn viên nào khớp bộ lọc')).toBeTruthy();
    expect(container.querySelector('[aria-busy="true"]')).not.toBeNull();
  });
});
