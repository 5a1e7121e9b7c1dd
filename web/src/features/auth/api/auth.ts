/** Signing in: password, then the TOTP code or the login-time enrolment, as identity asks for them. */

import { api, unwrap } from '@/lib/api';
import { ApiProblem } from '@/lib/problem';
import { session, TOKEN_TRANSPORT, type TokenAnswer } from '@/lib/session';

const cookie = { headers: TOKEN_TRANSPORT, credentials: 'same-origin' as const };

export type Credentials = { username: string; password: string; totp_code?: string };

export async function signIn(credentials: Credentials) {
  const tokens = await unwrap(api.POST('/api/v1/identity/login', { body: credentials, ...cookie }));
  session.accept(tokens);
  return tokens;
}

/** The login that the prerendered page's early script (src/early-sign-in.ts) sent before the app started. */
export type EarlySignIn = { username: string; password: string; answer: Promise<Response> };

declare global {
  interface Window {
    earlySignIn?: EarlySignIn;
  }
}

/** That login, if one was sent and its answer is not yet taken. */
export function earlySignIn(): EarlySignIn | undefined {
  return window.earlySignIn;
}

/** Takes that login's answer for handling: true once, for the first caller, so that it is handled once. */
export function takeEarlySignIn(early: EarlySignIn): boolean {
  if (window.earlySignIn !== early) return false;
  delete window.earlySignIn;
  return true;
}

/** Its answer, handled as `signIn`'s own. */
export async function acceptEarlySignIn(early: EarlySignIn) {
  let response: Response;
  try {
    response = await early.answer;
  } catch (error) {
    throw ApiProblem.network(error);
  }
  if (!response.ok) throw await ApiProblem.fromResponse(response);
  const tokens = (await response.json()) as TokenAnswer;
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
