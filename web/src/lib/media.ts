import { useSyncExternalStore } from 'react';

/** Whether the media query matches now, re-rendering when that changes (a phone turned, a window resized). */
export function useMedia(query: string): boolean {
  return useSyncExternalStore(
    (changed) => {
      const list = window.matchMedia(query);
      list.addEventListener('change', changed);
      return () => list.removeEventListener('change', changed);
    },
    () => window.matchMedia(query).matches,
  );
}
