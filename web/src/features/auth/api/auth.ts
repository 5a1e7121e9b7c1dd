/** Signing in: password, then the TOTP code or the login-time enrolment, as identity asks for them. */

import { api, unwrap } from '@/lib/api';
import { session, TOKEN_TRANSPORT } from '@/lib/session';

const cookie = { headers: TOKEN_TRANSPORT, credentials: 'same-origin' as const };

export type Credentials = { username: string; password: string; totp_code?: string };

export async function signIn(credentials: Credentials) {
  const tokens = await unwrap(api.POST('/api/v1/identity/login', { body: credentials, ...cookie }));
  session.accept(tokens);
  return tokens;
}

export function startLoginEnrolment(username: string, password: string) {
  return unwrap(api.POST('/api/v1/identity/login/totp', { body: { username, password } }));
}

export async function confirmLoginEnrolment(username: string, password: string, code: string) {
  const answer = await unwrap(
    api.POST('/api/v1/identity/login/totp/confirm', { body: { username, password, code }, ...cookie }),
  );
  session.accept(answer);
  return answer.recovery_codes;
}

export function changePassword(current_password: string, new_password: string) {
  return unwrap(api.POST('/api/v1/identity/me/password', { body: { current_password, new_password } }));
}

export function startEnrolment() {
  return unwrap(api.POST('/api/v1/identity/me/totp'));
}

export function confirmEnrolment(code: string) {
  return unwrap(api.POST('/api/v1/identity/me/totp/confirm', { body: { code } }));
}
