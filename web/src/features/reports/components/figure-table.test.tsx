import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { FigureTable } from './figure-table';

type Row = { status: string; count: number };
const columns = [
  { title: 'Trạng thái', value: (row: Row) => row.status },
  { title: 'Số người', value: (row: Row) => row.count, numeric: true },
];

afterEach(cleanup);

describe('FigureTable', () => {
  it('says it is loading, then that there are no figures, in words rather than an empty table', () => {
    const { rerender } = render(<FigureTable caption="Đoàn viên theo trạng thái" rows={[]} columns={columns}
                                             rowKey={(row) => row.status} busy />);
    expect(screen.getByText('Đang tải…')).toBeTruthy();
    rerender(<FigureTable caption="Đoàn viên theo trạng thái" rows={[]} columns={columns} rowKey={(row) => row.status} />);
    expect(screen.getByText('Chưa có số liệu')).toBeTruthy();
    rerender(<FigureTable caption="Đoàn viên theo trạng thái" rows={[{ status: 'Đang sinh hoạt', count: 12 }]}
                          columns={columns} rowKey={(row) => row.status} />);
    expect(screen.queryByText('Chưa có số liệu')).toBeNull();
    expect(screen.getByText('Đang sinh hoạt')).toBeTruthy();
  });
});
