import { cleanup, render, screen } from '@testing-library/react';
import { App } from 'antd';
import { MemoryRouter, Route, Routes } from 'react-router';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FeeSchedule, FeeStatement } from '../api/fees';
import FeesPage from './fees';

const schedule = (effective_from: string, state: FeeSchedule['state'], blank_vnd: number): FeeSchedule => ({
  effective_from, state, blank_vnd, printing_vnd: 7_000, linked_vnd: 50_000, blank_paid_by: 'member_unit',
  printing_paid_by: 'ordering_unit', linked_paid_by: 'member_unit', decision: `QĐ ${effective_from}`,
  created_by: 'migration', created_at: '2025-01-01T00:00:00Z',
});
const amounts = {
  regular_cards: 3, linked_cards: 2, waived_cards: 1, blank_vnd: 9_000, printing_vnd: 21_000, linked_vnd: 100_000,
  waived_vnd: 50_000, payable_vnd: 80_000, members_units_pay_vnd: 59_000, ordering_unit_pays_vnd: 21_000,
};
const statement: FeeStatement = {
  unit_id: 'u1', unit_name: 'LĐLĐ tỉnh', date_from: '2026-12-01', date_to: '2026-12-03', orders: [],
  subunits: [{ ...amounts, unit_id: 'u2', unit_code: 'G1', unit_name: 'Công đoàn cơ sở Một' }], totals: amounts,
};
let setsFees = true;
let orders = true;

vi.mock('@/lib/access', () => ({
  PERMISSIONS: { cardsSetFees: 'cards.set_fees', cardsOrder: 'cards.order' },
  useAccess: () => ({
    can: (permission: string) => (setsFees && permission === 'cards.set_fees') || (orders && permission === 'cards.order'),
  }),
}));
vi.mock('../api/fees', () => ({
  PAYERS: { member_unit: 'Đơn vị của đoàn viên', ordering_unit: 'Đơn vị đặt in' },
  useFeeSchedules: () => ({
    data: [schedule('2019-01-01', 'past', 2_000), schedule('2025-01-01', 'in_force', 3_000), schedule('2099-01-01', 'upcoming', 4_000)],
    isPending: false, isError: false,
  }),
  useAddFeeSchedule: () => ({ mutateAsync: vi.fn() }),
  useFeeStatement: () => ({ data: statement, isFetching: false, isError: false }),
  downloadStatement: vi.fn(),
  useSalaryUnits: () => ({
    data: [{ unit_id: 'u2', unit_name: 'Công đoàn KCN Hai', pays_through_bank: true, commitment: 'CK 05/2026',
             set_by: 'tinh', set_at: '2026-12-01T03:00:00Z' }],
    isPending: false, isError: false,
  }),
  useChildUnits: () => ({ data: [{ unit_id: 'u2', name: 'Công đoàn KCN Hai' }], isPending: false }),
  useSetSalaryThroughBank: () => ({ mutateAsync: vi.fn() }),
}));

function show() {
  render(
    <App>
      <MemoryRouter initialEntries={['/don-vi/u1/the/phi']}>
        <Routes><Route path="/don-vi/:unitId/the/phi" element={<FeesPage />} /></Routes>
      </MemoryRouter>
    </App>,
  );
}

describe('the card fees screen', { timeout: 60_000 }, () => {
  beforeEach(() => {
    setsFees = true;
    orders = true;
  });
  afterEach(cleanup);

  it('shows the schedule in force and the upcoming one, not the past, with who pays each part', () => {
    show();
    expect(screen.getByText('đang áp dụng')).toBeTruthy();
    expect(screen.getByText('sắp áp dụng')).toBeTruthy();
    expect(screen.queryByText('QĐ 2019-01-01')).toBeNull();
    expect(screen.getAllByText(/in: Đơn vị đặt in/).length).toBe(2);
    expect(screen.getByRole('button', { name: 'Thêm biểu phí' })).toBeTruthy();
  });

  it('shows the statement of the unit with its totals and downloads', () => {
    show();
    expect(screen.getByText('Công đoàn cơ sở Một')).toBeTruthy();
    expect(screen.getByLabelText('Tổng cộng').textContent).toContain('Phải trả: 80.000 đồng');
    expect(screen.getByRole('button', { name: /Tải .xlsx/ })).toBeTruthy();
    expect(screen.getByRole('button', { name: /Tải PDF/ })).toBeTruthy();
  });

  it('leaves the new schedule form to national administrators', () => {
    setsFees = false;
    show();
    expect(screen.queryByRole('button', { name: 'Thêm biểu phí' })).toBeNull();
  });

  it('lists the units paying salaries through the bank, and lets only a level that orders record one', () => {
    show();
    expect(screen.getByText('CK 05/2026')).toBeTruthy();
    expect(screen.getByText('01/12/2026')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Ghi nhận' })).toBeTruthy();
    cleanup();
    orders = false;
    show();
    expect(screen.getByText('CK 05/2026')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Ghi nhận' })).toBeNull();
  });
});
