import { useSyncExternalStore } from 'react';
import { type SessionState, session } from './session';

export function useSession(): SessionState {
  return useSyncExternalStore(
    (listener) => session.subscribe(listener),
    () => session.state,
    () => session.state, // the build's prerendered sign-in page (features/auth/prerender.tsx)
  );
}
