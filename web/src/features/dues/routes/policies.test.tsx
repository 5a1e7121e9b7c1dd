import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { App } from 'antd';
import { MemoryRouter, Route, Routes } from 'react-router';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Policy } from '../api/dues';
import PoliciesPage from './policies';

const reasons = [
  { code: 'no_income', name: 'Không có thu nhập' },
  { code: 'suspended', name: 'Tạm dừng sinh hoạt' },
];
const policy = (effective_from: string, rate_permille: number): Policy => ({
  effective_from, rate_permille, base_salary_vnd: 2_340_000, cap_percent_of_base: 10, grassroots_share_percent: 70,
  upper_level_keeps_percent: 0, decision: `QĐ ${effective_from}`, created_by: 'migration', created_at: '2025-01-01T00:00:00Z',
  exemption_reasons: reasons,
});
const setReasons = vi.fn();
let national = true;

vi.mock('@/lib/access', () => ({ useAccess: () => ({ hasRole: (role: string) => national && role === 'national_admin' }) }));
vi.mock('../api/dues', () => ({
  usePolicies: () => ({ data: [policy('2025-07-01', 5), policy('2099-01-01', 6)], isPending: false, isError: false }),
  useAddPolicy: () => ({ mutateAsync: vi.fn() }),
  useSetExemptionReasons: () => ({ mutateAsync: setReasons }),
}));

function show() {
  render(
    <App>
      <MemoryRouter initialEntries={['/don-vi/u1/doan-phi/quy-dinh']}>
        <Routes><Route path="/don-vi/:unitId/doan-phi/quy-dinh" element={<PoliciesPage />} /></Routes>
      </MemoryRouter>
    </App>,
  );
}

// The whole screen (a table, a form with its list, a dialog) renders slowly in jsdom on a loaded machine.
describe('the dues policies screen', { timeout: 60_000 }, () => {
  beforeEach(() => {
    setReasons.mockReset();
    national = true;
  });
  afterEach(cleanup);

  it('lists the policies newest first with their rate as a percentage and their exemption reasons', () => {
    show();
    const rows = screen.getAllByRole('row').slice(1);
    expect(rows[0].textContent).toContain('01/01/2099');
    expect(rows[0].textContent).toContain('0,6 %');
    expect(rows[1].textContent).toContain('Không có thu nhập');
    expect(screen.getByRole('button', { name: 'Thêm quy định' })).toBeTruthy();
  });

  it('lets a reason of a policy in force be renamed but not taken off; `suspended` stays everywhere', async () => {
    show();
    fireEvent.click(screen.getByRole('button', { name: 'Sửa lý do miễn của quy định từ 01/07/2025' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByRole('button', { name: 'Bỏ lý do no_income' })).toHaveProperty('disabled', true);
    expect(within(dialog).getByRole('button', { name: 'Bỏ lý do suspended' })).toHaveProperty('disabled', true);
  });

  it('takes a reason off a policy not in force yet and sends the list', async () => {
    show();
    fireEvent.click(screen.getByRole('button', { name: 'Sửa lý do miễn của quy định từ 01/01/2099' }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Bỏ lý do no_income' }));
    await act(async () => fireEvent.click(within(dialog).getByRole('button', { name: 'Lưu' })));
    await waitFor(() => expect(setReasons).toHaveBeenCalledWith({
      effectiveFrom: '2099-01-01', reasons: [{ code: 'suspended', name: 'Tạm dừng sinh hoạt' }] }));
  });

  it('shows the policies without the forms to anyone else', () => {
    national = false;
    show();
    expect(screen.queryByRole('button', { name: /Sửa lý do miễn/ })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Thêm quy định' })).toBeNull();
  });
});
