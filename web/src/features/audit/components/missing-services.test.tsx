import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { MissingServices } from './missing-services';

describe('MissingServices', () => {
  it('names, in Vietnamese, the services whose entries are missing and offers to ask again', () => {
    const retry = vi.fn();
    render(<MissingServices services={['dues', 'cards']} onRetry={retry} />);
    expect(screen.getByRole('alert').textContent).toContain('Đoàn phí, Thẻ đoàn viên');
    fireEvent.click(screen.getByRole('button', { name: 'Thử lại' }));
    expect(retry).toHaveBeenCalledOnce();
  });
  it('says nothing when every service answered', () => {
    const { container } = render(<MissingServices services={[]} onRetry={() => undefined} />);
    expect(container.textContent).toBe('');
  });
});
