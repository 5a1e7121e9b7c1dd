import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { loadAntd, WithAntd } from './with-antd';

afterEach(cleanup);

// Loading Ant Design's provider's modules takes seconds on a busy machine (5 s, the default, was missed at load 15).
describe('WithAntd', { timeout: 60_000 }, () => {
  it('renders its content at once, inside Ant Design\'s provider, once the provider has been loaded', async () => {
    await loadAntd();
    render(<WithAntd fallback={<p>Đang tải</p>}><p>Nội dung</p></WithAntd>);
    // In the same tick: no suspended boundary (whose reveal React would hold back), no fallback shown.
    expect(screen.getByText('Nội dung')).toBeTruthy();
    expect(screen.queryByText('Đang tải')).toBeNull();
  });
});
