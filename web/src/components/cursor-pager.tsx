import { Button, Space } from 'antd';
import type { ReactNode } from 'react';
import { useEffect, useState } from 'react';

/**
 * Keyset pages: the cursors of the pages seen so far, so "previous" goes back without the API needing offsets.
 * Starts again from the first page whenever `resetKey` changes (a new filter, another unit).
 */
export function useCursorPages(resetKey: string) {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  useEffect(() => setCursors([undefined]), [resetKey]);
  return {
    after: cursors[cursors.length - 1],
    page: cursors.length,
    previous: cursors.length > 1 ? () => setCursors(cursors.slice(0, -1)) : undefined,
    nextFrom: (cursor: string | null | undefined) => (cursor ? () => setCursors([...cursors, cursor]) : undefined),
    reset: () => setCursors([undefined]),
  };
}

export function CursorPager({ pages, next, children }: {
  pages: ReturnType<typeof useCursorPages>;
  next: string | null | undefined;
  children?: ReactNode;
}) {
  const forward = pages.nextFrom(next);
  return (
    <Space wrap style={{ marginTop: 12 }}>
      <Button disabled={!pages.previous} onClick={pages.previous}>Trang trước</Button>
      <span aria-live="polite">Trang {pages.page}</span>
      <Button disabled={!forward} onClick={forward}>Trang sau</Button>
      {children}
    </Space>
  );
}
