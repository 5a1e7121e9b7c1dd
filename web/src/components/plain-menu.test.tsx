import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PlainMenu, PlainPopup } from './plain-menu';

afterEach(cleanup);

const items = [
  { key: 'xlsx', label: 'Tải về Excel (.xlsx)' },
  { key: 'csv', label: 'Tải về CSV (.csv)' },
  { key: 'out', label: 'Đăng xuất', dividerBefore: true },
];

describe('PlainMenu', () => {
  it('opens on its first item, moves with the arrows round the ends, and gives an item chosen to onSelect', () => {
    const onSelect = vi.fn();
    render(<PlainMenu button="Xuất danh sách" items={items} onSelect={onSelect} />);
    const button = screen.getByRole('button', { name: 'Xuất danh sách' });
    expect(button.getAttribute('aria-haspopup')).toBe('menu');
    expect(button.getAttribute('aria-expanded')).toBe('false');
    expect(screen.queryByRole('menu')).toBeNull();

    fireEvent.click(button);
    expect(button.getAttribute('aria-expanded')).toBe('true');
    const entries = screen.getAllByRole('menuitem');
    expect(entries.map((entry) => entry.textContent)).toEqual(items.map((item) => item.label));
    expect(document.activeElement).toBe(entries[0]);
    const menu = screen.getByRole('menu');
    fireEvent.keyDown(menu, { key: 'ArrowUp' });
    expect(document.activeElement).toBe(entries[2]);
    fireEvent.keyDown(menu, { key: 'ArrowDown' });
    expect(document.activeElement).toBe(entries[0]);
    fireEvent.keyDown(menu, { key: 'End' });
    fireEvent.keyDown(menu, { key: 'ArrowUp' });
    expect(document.activeElement).toBe(entries[1]);

    fireEvent.click(entries[1]);
    expect(onSelect).toHaveBeenCalledWith('csv');
    expect(screen.queryByRole('menu')).toBeNull();
    expect(document.activeElement).toBe(button);
  });

  it('opens from the keyboard on the last item with the up arrow, and Escape closes it without choosing', () => {
    const onSelect = vi.fn();
    render(<PlainMenu button="Tài khoản" items={items} onSelect={onSelect} />);
    const button = screen.getByRole('button', { name: 'Tài khoản' });
    fireEvent.keyDown(button, { key: 'ArrowUp' });
    expect(document.activeElement).toBe(screen.getAllByRole('menuitem')[2]);
    fireEvent.keyDown(screen.getByRole('menu'), { key: 'Escape' });
    expect(screen.queryByRole('menu')).toBeNull();
    expect(document.activeElement).toBe(button);
    expect(onSelect).not.toHaveBeenCalled();
  });

  it('closes on a press outside it', () => {
    render(<><PlainMenu button="Xuất danh sách" items={items} onSelect={() => undefined} /><p>bên ngoài</p></>);
    fireEvent.click(screen.getByRole('button', { name: 'Xuất danh sách' }));
    expect(screen.getByRole('menu')).toBeTruthy();
    fireEvent.pointerDown(screen.getByText('bên ngoài'));
    expect(screen.queryByRole('menu')).toBeNull();
  });
});

describe('PlainPopup', () => {
  it('shows its content as a named group while open, keeps it open while it is used, and Escape closes it', () => {
    const toggled = vi.fn();
    render(
      <PlainPopup button="Cột" panelLabel="Chọn cột hiển thị">
        <label><input type="checkbox" onChange={(event) => toggled(event.target.checked)} /> Chức vụ</label>
      </PlainPopup>,
    );
    const button = screen.getByRole('button', { name: 'Cột' });
    fireEvent.click(button);
    const group = screen.getByRole('group', { name: 'Chọn cột hiển thị' });
    expect(button.getAttribute('aria-controls')).toBe(group.id);
    fireEvent.pointerDown(screen.getByLabelText('Chức vụ'));
    fireEvent.click(screen.getByLabelText('Chức vụ'));
    expect(toggled).toHaveBeenCalledWith(true);
    expect(screen.getByRole('group', { name: 'Chọn cột hiển thị' })).toBeTruthy();
    fireEvent.keyDown(screen.getByLabelText('Chức vụ'), { key: 'Escape' });
    expect(screen.queryByRole('group')).toBeNull();
    expect(document.activeElement).toBe(button);
  });
});
