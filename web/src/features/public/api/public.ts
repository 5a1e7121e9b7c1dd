/** What anyone may ask without signing in: a member's own record, a card's validity. */

import { useQuery } from '@tanstack/react-query';
import { api, type Schemas, unwrap } from '@/lib/api';

export type PublicMember = Schemas['PublicMember'];
export type PublicCard = Schemas['PublicCard'];

export function lookUp(member_code: string, id_number: string): Promise<PublicMember> {
  return unwrap(api.GET('/api/v1/public/lookup', { params: { query: { member_code, id_number } } }));
}

/** `offline`: asked even without a network (the digital card's service worker answers with the last answer). */
export function useCardVerification(code: string, { offline = false }: { offline?: boolean } = {}) {
  return useQuery({
    queryKey: ['public', 'card', code],
    queryFn: () => unwrap(api.GET('/api/v1/public/cards/verify/{code}', {
      params: { path: { code } }, headers: { accept: 'application/json' },
    })),
    retry: false,
    networkMode: offline ? 'always' : 'online',
  });
}
