import { RouterProvider } from 'react-router';
import { session } from '@/lib/session';
import { router } from './router';
import './app.css';

// A reload keeps the session: the refresh cookie gives a new access token.
const restored = session.refresh().catch(() => false);
// A signed-in screen's first data is asked for as soon as the session is back, beside the screen's code.
const { pathname, search } = window.location;
if (pathname === '/' || pathname.startsWith('/don-vi/')) {
  void Promise.all([import('./prefetch'), restored]).then(([module, signedIn]) => {
    if (signedIn) module.prefetch(pathname, search);
  });
}

export function App() {
  return <RouterProvider router={router} />;
}
