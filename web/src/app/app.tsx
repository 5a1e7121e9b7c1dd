import { RouterProvider } from 'react-router';
import { session } from '@/lib/session';
import { router } from './router';
import './app.css';

// A reload keeps the session: the refresh cookie gives a new access token.
void session.refresh().catch(() => undefined);

export function App() {
  return <RouterProvider router={router} />;
}
