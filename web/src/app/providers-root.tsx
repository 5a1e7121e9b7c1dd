import { QueryClientProvider } from '@tanstack/react-query';
import { Outlet } from 'react-router';
import { queryClient } from '@/lib/query';
import { session } from '@/lib/session';

// Another user signing in on this browser must not see the last one's cached data.
session.subscribe((state) => {
  if (state.status === 'signed-out') queryClient.clear();
});

/**
 * Every route but the sign-in page and the member's public pages: the server-state cache, loaded with the first of
 * those screens (never before sign-in, so the page an officer on a slow phone waits for stays small). Ant Design
 * loads where a screen needs it (components/with-antd.tsx).
 */
export default function ProvidersRoot() {
  return (
    <QueryClientProvider client={queryClient}>
      <Outlet />
    </QueryClientProvider>
  );
}
