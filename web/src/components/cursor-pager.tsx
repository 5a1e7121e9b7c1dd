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
  // Plain buttons (app.css): the pager is part of the members list's first view, which loads no Ant Design.
  return (
    <div className="pager">
      <button type="button" className="plain-button secondary middle" disabled={!pages.previous} onClick={pages.previous}>
        Trang trước
      </button>
      <span aria-live="polite">Trang {pages.page}</span>
      <button type="button" className="plain-button secondary middle" disabled={!forward} onClick={forward}>
        Trang sau
      </button>
      {children}
    </div>
  );
}
