import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { PlainTabs } from './plain-tabs';

afterEach(cleanup);

function Typed() {
  const [text, setText] = useState('');
  return <input aria-label="Ghi chú" value={text} onChange={(event) => setText(event.target.value)} />;
}

const items = [
  { key: 'orders', label: 'Đơn đặt in', children: <p>Các đơn</p> },
  { key: 'cards', label: 'Thẻ của đơn vị', children: <Typed /> },
  { key: 'withheld', label: 'Chưa gửi ngân hàng', children: <p>Chưa gửi</p> },
];

describe('PlainTabs', () => {
  it('is a labelled tab list whose selected tab controls the one panel shown, the others out of the Tab order', () => {
    render(<PlainTabs label="Thẻ đoàn viên" items={items} />);
    const list = screen.getByRole('tablist', { name: 'Thẻ đoàn viên' });
    const tabs = screen.getAllByRole('tab');
    expect(list.contains(tabs[0])).toBe(true);
    expect(tabs.map((tab) => tab.getAttribute('aria-selected'))).toEqual(['true', 'false', 'false']);
    expect(tabs.map((tab) => tab.tabIndex)).toEqual([0, -1, -1]);
    const panel = screen.getByRole('tabpanel', { name: 'Đơn đặt in' });
    expect(panel.textContent).toBe('Các đơn');
    expect(tabs[0].getAttribute('aria-controls')).toBe(panel.id);
    // A tab never chosen renders nothing (its code loads when it is chosen).
    expect(screen.queryByText('Chưa gửi')).toBeNull();
  });

  it('moves with the arrow keys (wrapping), Home and End, selecting and focusing the tab reached', () => {
    render(<PlainTabs label="Thẻ đoàn viên" items={items} />);
    const tabs = screen.getAllByRole('tab');
    fireEvent.keyDown(tabs[0], { key: 'ArrowRight' });
    expect(tabs[1].getAttribute('aria-selected')).toBe('true');
    expect(document.activeElement).toBe(tabs[1]);
    fireEvent.keyDown(tabs[1], { key: 'End' });
    expect(document.activeElement).toBe(tabs[2]);
    fireEvent.keyDown(tabs[2], { key: 'ArrowRight' });
    expect(document.activeElement).toBe(tabs[0]);
    fireEvent.keyDown(tabs[0], { key: 'ArrowLeft' });
    expect(tabs[2].getAttribute('aria-selected')).toBe('true');
    fireEvent.keyDown(tabs[2], { key: 'Home' });
    expect(tabs[0].getAttribute('aria-selected')).toBe('true');
    expect(screen.getByRole('tabpanel', { name: 'Đơn đặt in' })).toBeTruthy();
  });

  it('keeps a visited panel rendered, hidden, so what was typed there is still there on coming back', () => {
    render(<PlainTabs label="Thẻ đoàn viên" items={items} />);
    fireEvent.click(screen.getByRole('tab', { name: 'Thẻ của đơn vị' }));
    fireEvent.change(screen.getByLabelText('Ghi chú'), { target: { value: 'đã xem' } });
    fireEvent.click(screen.getByRole('tab', { name: 'Đơn đặt in' }));
    expect(screen.queryByRole('tabpanel', { name: 'Thẻ của đơn vị' })).toBeNull(); // hidden: not in the tree
    fireEvent.click(screen.getByRole('tab', { name: 'Thẻ của đơn vị' }));
    expect((screen.getByLabelText('Ghi chú') as HTMLInputElement).value).toBe('đã xem');
  });
});
