/**
 * The signed-in session. The access token lives only in this module's memory; the refresh token is an HttpOnly
 * cookie that identity sets when asked (`X-Token-Transport: cookie`), so no script can read either from storage.
 * A page reload restores the session by refreshing; the access token is renewed a minute before it expires.
 */

import { ApiProblem } from './problem';

export const TOKEN_TRANSPORT = { 'x-token-transport': 'cookie' } as const;
const RENEW_BEFORE_MS = 60_000;

export type TokenAnswer = { access_token: string; expires_in: number; must_change_password?: boolean };

export type SessionState =
  | { status: 'unknown' }
  | { status: 'signed-out'; reason?: 'expired' | 'signed-out' }
  | { status: 'signed-in'; mustChangePassword: boolean };

type Listener = (state: SessionState) => void;

declare global {
  interface Window {
    /** The renewal the page's first script sent before the app arrived (src/early-session.ts), until taken. */
    earlySession?: Promise<Response>;
  }
}

/** That renewal's answer, once: the first exchange handles it instead of asking again. */
function takeEarlySession(): Promise<Response> | undefined {
  const early = window.earlySession;
  delete window.earlySession;
  return early;
}

class Session {
  private accessToken: string | null = null;
  private renewTimer: ReturnType<typeof setTimeout> | undefined;
  private refreshing: Promise<boolean> | null = null;
  private accepted = 0; // tokens accepted so far: a refusal of an older renewal must not end a newer session
  private listeners = new Set<Listener>();
  state: SessionState = { status: 'unknown' };

  get token(): string | null {
    return this.accessToken;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Tokens from a login, a TOTP confirmation or a refresh. */
  accept(answer: TokenAnswer): void {
    this.accessToken = answer.access_token;
    this.accepted += 1;
    clearTimeout(this.renewTimer);
    const renewIn = Math.max(answer.expires_in * 1000 - RENEW_BEFORE_MS, 5_000);
    this.renewTimer = setTimeout(() => void this.refresh(), renewIn);
    this.set({ status: 'signed-in', mustChangePassword: Boolean(answer.must_change_password) });
  }

  /** A new access token from the refresh cookie; one request at a time however many callers ask. */
  refresh(): Promise<boolean> {
    this.refreshing ??= this.exchange().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /** Ends this device's session (or every session of the user) and forgets the access token. */
  async signOut(everywhere = false): Promise<void> {
    if (this.accessToken) {
      await fetch('/api/v1/identity/logout', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { ...TOKEN_TRANSPORT, 'content-type': 'application/json', authorization: `Bearer ${this.accessToken}` },
        body: JSON.stringify({ everywhere }),
      }).catch(() => undefined); // signing out locally must work offline too
    }
    this.forget('signed-out');
  }

  /** The server refused the session (revoked, expired, password changed elsewhere). */
  expire(): void {
    if (this.state.status === 'signed-in') this.forget('expired');
  }

  private forget(reason: 'expired' | 'signed-out'): void {
    this.accessToken = null;
    clearTimeout(this.renewTimer);
    this.set({ status: 'signed-out', reason });
  }

  private async exchange(): Promise<boolean> {
    const accepted = this.accepted;
    let response: Response;
    try {
      response = await (takeEarlySession() ?? fetch('/api/v1/identity/token/refresh', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { ...TOKEN_TRANSPORT, 'content-type': 'application/json' },
        body: '{}',
      }));
    } catch (error) {
      // Offline: keep what we have; the next request that needs a token tries again.
      if (this.state.status === 'unknown') this.set({ status: 'signed-out' });
      throw ApiProblem.network(error);
    }
    // A sign-in answered while the renewal was on its way (the page's early one was sent before the form was
    // filled) stands: the renewal had no cookie, or the one the sign-in has just replaced.
    if (this.accepted !== accepted) return this.state.status === 'signed-in';
    if (!response.ok) {
      if (this.state.status === 'signed-in') this.forget('expired');
      else this.set({ status: 'signed-out' });
      return false;
    }
    this.accept((await response.json()) as TokenAnswer);
    return true;
  }

  private set(state: SessionState): void {
    this.state = state;
    for (const listener of this.listeners) listener(state);
  }
}

export const session = new Session();
