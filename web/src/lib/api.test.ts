import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, unwrap } from './api';
import { session } from './session';

function answer(body: object): Response {
  return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
}

afterEach(async () => {
  delete window.earlyAnswers;
  vi.unstubAllGlobals();
  await session.signOut();
});

// The answers the page's first script got (src/early-session.ts) stand for the app's own requests: once, for the
// same address, and only with the token the app holds.
describe('the early answers', () => {
  it('answer the same request once, with nothing sent', async () => {
    const sent = vi.fn(() => Promise.resolve(answer({ user_id: 'sent' })));
    vi.stubGlobal('fetch', sent);
    session.accept({ access_token: 'token-1', expires_in: 900 });
    window.earlyAnswers = {
      '/api/v1/identity/me': Promise.resolve({ token: 'token-1', response: answer({ user_id: 'early' }) }),
    };
    expect(await unwrap(api.GET('/api/v1/identity/me'))).toEqual({ user_id: 'early' });
    expect(sent).not.toHaveBeenCalled();
    // Taken: the next request is the app's own.
    expect(await unwrap(api.GET('/api/v1/identity/me'))).toEqual({ user_id: 'sent' });
    expect(sent).toHaveBeenCalledTimes(1);
  });

  it('are not taken for another token or another address', async () => {
    const sent = vi.fn(() => Promise.resolve(answer({ user_id: 'sent' })));
    vi.stubGlobal('fetch', sent);
    session.accept({ access_token: 'token-2', expires_in: 900 });
    window.earlyAnswers = {
      '/api/v1/identity/me': Promise.resolve({ token: 'token-1', response: answer({ user_id: 'early' }) }),
      '/api/v1/orgtree/units/u1': Promise.resolve({ token: 'token-2', response: answer({ unit_id: 'early' }) }),
    };
    expect(await unwrap(api.GET('/api/v1/identity/me'))).toEqual({ user_id: 'sent' });
    expect(await unwrap(api.GET('/api/v1/orgtree/units/{unit_id}/ancestors', {
      params: { path: { unit_id: 'u1' } },
    }))).toEqual({ user_id: 'sent' });
    expect(sent).toHaveBeenCalledTimes(2);
  });

  it('that failed leave the request to the app', async () => {
    const sent = vi.fn(() => Promise.resolve(answer({ user_id: 'sent' })));
    vi.stubGlobal('fetch', sent);
    session.accept({ access_token: 'token-3', expires_in: 900 });
    window.earlyAnswers = { '/api/v1/identity/me': Promise.resolve(undefined) };
    expect(await unwrap(api.GET('/api/v1/identity/me'))).toEqual({ user_id: 'sent' });
    expect(sent).toHaveBeenCalledTimes(1);
  });
});
