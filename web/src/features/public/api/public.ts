/** What anyone may ask without signing in: a member's own record, a card's validity. */

import { api, type Schemas, unwrap } from '@/lib/api';

export type PublicMember = Schemas['PublicMember'];
export type PublicCard = Schemas['PublicCard'];

export function lookUp(member_code: string, id_number: string): Promise<PublicMember> {
  return unwrap(api.GET('/api/v1/public/lookup', { params: { query: { member_code, id_number } } }));
}

/** The address answers a page to browsers: the JSON is asked for by name. */
export function verifyCard(code: string): Promise<PublicCard> {
  return unwrap(api.GET('/api/v1/public/cards/verify/{code}', {
    params: { path: { code } }, headers: { accept: 'application/json' },
  }));
}
