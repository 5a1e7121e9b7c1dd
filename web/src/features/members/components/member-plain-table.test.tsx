import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import type { ReactNode } from 'react';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { memberRow, UNIT } from '@/testing/members';
import { PlainMemberTable } from './member-plain-table';

const row = memberRow;
const every = () => true;

function wrap(children: ReactNode) {
  return render(<MemoryRouter>{children}</MemoryRouter>);
}

afterEach(cleanup);

describe('PlainMemberTable', () => {
  it('is a table with a caption and column headers whose cells name the member, link to them, and read in Vietnamese', () => {
    wrap(<PlainMemberTable unitId={UNIT} rows={[row(1), row(2, { member_code: null, status: 'pending' })]} busy={false}
                           emptyText="" selected={[]} onSelect={() => undefined} visible={every} />);
    const table = screen.getByRole('table', { name: 'Danh sách đoàn viên' });
    expect(within(table).getAllByRole('columnheader').map((h) => h.textContent)).toEqual(
      ['', 'Họ và tên', 'Mã đoàn viên', 'Giới tính', 'Ngày sinh', 'Đơn vị', 'Chức vụ', 'Trạng thái', 'Thẻ']);
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(2);
    expect(within(rows[0]).getByRole('link', { name: 'Nguyễn Thị Lan 1' }).getAttribute('href'))
      .toBe(`/don-vi/${UNIT}/doan-vien/${row(1).member_id}`);
    const cells = within(rows[0]).getAllByRole('cell').map((cell) => cell.textContent);
    expect(cells.slice(2)).toEqual(['CD001', 'Nữ', '12/03/1990', 'CĐCS Công ty May 10', '', 'Đang sinh hoạt', 'Chưa có thẻ']);
    expect(rows[1].textContent).toContain('Chưa cấp');
    expect(rows[1].textContent).toContain('Chờ duyệt');
  });

  it('shows only the columns chosen', () => {
    wrap(<PlainMemberTable unitId={UNIT} rows={[row(1)]} busy={false} emptyText="" selected={[]}
                           onSelect={() => undefined} visible={(key) => key !== 'position' && key !== 'gender'} />);
    const headers = screen.getAllByRole('columnheader').map((h) => h.textContent);
    expect(headers).not.toContain('Chức vụ');
    expect(headers).not.toContain('Giới tính');
    expect(within(screen.getAllByRole('row')[1]).getAllByRole('cell')).toHaveLength(headers.length);
  });

  it('selects a row, the whole page, and keeps what was selected on other pages', () => {
    const onSelect = vi.fn();
    const elsewhere = row(9);
    const [first, second] = [row(1), row(2)];
    wrap(<PlainMemberTable unitId={UNIT} rows={[first, second]} busy={false} emptyText="" selected={[elsewhere, first]}
                           onSelect={onSelect} visible={every} />);
    expect((screen.getByRole('checkbox', { name: 'Chọn Nguyễn Thị Lan 1' }) as HTMLInputElement).checked).toBe(true);
    fireEvent.click(screen.getByRole('checkbox', { name: 'Chọn Nguyễn Thị Lan 2' }));
    expect(onSelect).toHaveBeenLastCalledWith([elsewhere, first, second]);
    fireEvent.click(screen.getByRole('checkbox', { name: 'Chọn cả trang' }));
    expect(onSelect).toHaveBeenLastCalledWith([elsewhere, first, second]);
  });

  it('unselects the whole page when all of it is selected', () => {
    const onSelect = vi.fn();
    const elsewhere = row(9);
    const [first, second] = [row(1), row(2)];
    wrap(<PlainMemberTable unitId={UNIT} rows={[first, second]} busy={false} emptyText=""
                           selected={[first, elsewhere, second]} onSelect={onSelect} visible={every} />);
    const all = screen.getByRole('checkbox', { name: 'Chọn cả trang' }) as HTMLInputElement;
    expect(all.checked).toBe(true);
    fireEvent.click(all);
    expect(onSelect).toHaveBeenLastCalledWith([elsewhere]);
  });

  it('says the list is empty in words, and is busy while a search is under way', () => {
    const { container } = wrap(<PlainMemberTable unitId={UNIT} rows={[]} busy emptyText="Đơn vị chưa có đoàn viên"
                                                 selected={[]} onSelect={() => undefined} visible={every} />);
    expect(screen.getByText('Đơn vị chưa có đoàn viên')).toBeTruthy();
    expect(container.querySelector('[aria-busy="true"]')).not.toBeNull();
    expect((screen.getByRole('checkbox', { name: 'Chọn cả trang' }) as HTMLInputElement).disabled).toBe(true);
  });
});
