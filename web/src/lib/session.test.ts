import { afterEach, describe, expect, it } from 'vitest';
import { session } from './session';

function answer(status: number, body?: object): Response {
  return new Response(body ? JSON.stringify(body) : null, { status, headers: { 'content-type': 'application/json' } });
}

function deferred() {
  let resolve!: (response: Response) => void;
  const promise = new Promise<Response>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

afterEach(() => {
  delete window.earlySession;
});

// The renewal the page's first script sent (src/early-session.ts) is the app's first refresh: the tests hand one
// over as that script does, so nothing else is sent.
describe('the early renewal', () => {
  it('is taken once as the session restored, its token kept in memory', async () => {
    window.earlySession = Promise.resolve(answer(200, { access_token: 'early-token', expires_in: 900 }));
    expect(await session.refresh()).toBe(true);
    expect(session.token).toBe('early-token');
    expect(session.state).toEqual({ status: 'signed-in', mustChangePassword: false });
    expect(window.earlySession).toBeUndefined();
    await session.signOut();
  });

  it('refused after a sign-in that was answered first does not end the new session', async () => {
    const early = deferred();
    window.earlySession = early.promise;
    const restored = session.refresh(); // the app starts: it waits for the renewal sent with the page
    session.accept({ access_token: 'signed-in-token', expires_in: 900 }); // the early sign-in's answer
    early.resolve(answer(401, { code: 'invalid-token', message_vi: 'Phiên đăng nhập đã hết hạn' }));
    expect(await restored).toBe(true);
    expect(session.token).toBe('signed-in-token');
    expect(session.state.status).toBe('signed-in');
    await session.signOut();
  });

  it('refused with no sign-in meanwhile leaves the user signed out', async () => {
    window.earlySession = Promise.resolve(answer(401));
    expect(await session.refresh()).toBe(false);
    expect(session.token).toBeNull();
    expect(session.state.status).toBe('signed-out');
  });
});
