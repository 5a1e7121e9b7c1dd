/**
 * A card's validity in the server-state cache, for the digital card (kept apart from public.ts: the lookup and the
 * verification page load without the cache's code).
 */

import { useQuery } from '@tanstack/react-query';
import { verifyCard } from './public';

/** `offline`: asked even without a network (the digital card's service worker answers with the last answer). */
export function useCardVerification(code: string, { offline = false }: { offline?: boolean } = {}) {
  return useQuery({
    queryKey: ['public', 'card', code],
    queryFn: () => verifyCard(code),
    retry: false,
    networkMode: offline ? 'always' : 'online',
  });
}
