/**
 * Every page's first script (a separate entry of the build, a few hundred bytes, loaded before the app's): it sends
 * the session's renewal at once, so that on a slow phone the token is back while the app's code is still being
 * parsed, instead of one round trip after it; then it asks for the code the page names for its screen. The app
 * takes the unread answer off `window` when it starts (`takeEarlySession` in lib/session.ts) and handles it as its
 * own refresh: the request is the one `Session.exchange` sends, and the refresh token stays in its HttpOnly cookie;
 * the access token is read only by the app.
 * It imports nothing, so that the build makes it one small file, and is not inline: the Content-Security-Policy
 * stays as it is.
 */

export {}; // a module, as the build's entries are

const answer = fetch('/api/v1/identity/token/refresh', { // as Session.exchange sends it
  method: 'POST',
  credentials: 'same-origin',
  headers: { 'content-type': 'application/json', 'x-token-transport': 'cookie' },
  body: '{}',
});
// Offline, the app meets the failure when it takes the answer; until then it is not an unhandled rejection.
answer.catch(() => undefined);
window.earlySession = answer;
// A large screen's page names its code (`screens/*.html`, written by the build): fetched now, beside the app's,
// rather than once the app has run and matched the route; after the renewal, which must not queue behind it.
// A few links a task: each costs the main thread about a millisecond (four on a phone's 4×-slowed CPU) and a screen
// names up to 30, which in one task held a phone's main thread for ~120 ms.
const screenCode = document.getElementById('screen-code');
if (screenCode instanceof HTMLTemplateElement) {
  const links = [...screenCode.content.children];
  const addSome = () => {
    document.head.append(...links.splice(0, 6));
    if (links.length) setTimeout(addSome);
  };
  addSome();
}
