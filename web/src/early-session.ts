/**
 * Every page's first script (a separate entry of the build, a few hundred bytes, loaded before the app's): it sends
 * the session's renewal at once, so that on a slow phone the token is back while the app's code is still being
 * parsed, instead of one round trip after it; then it asks for the code the page names for its screen. The app
 * takes the unread answer off `window` when it starts (`takeEarlySession` in lib/session.ts) and handles it as its
 * own refresh: the request is the one `Session.exchange` sends, and the refresh token stays in its HttpOnly cookie;
 * the access token is read only by the app.
 * A large screen's page also names the data its first view needs (the frame's and the screen's first page: the
 * template's `data-early`), which this script asks for as soon as the renewal has answered, with its token: on a
 * slow phone those answers then come beside the app's code instead of after it has arrived and run. The app's API
 * layer takes each answer once, for the same request with the same token (`takeEarlyAnswer` in lib/api.ts).
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
const screenCode = document.getElementById('screen-code');
const unit = /^\/don-vi\/([0-9a-f-]{36})\//.exec(window.location.pathname)?.[1];
const early = screenCode instanceof HTMLTemplateElement && unit ? screenCode.dataset.early?.split(' ') ?? [] : [];
if (early.length) {
  // The app reads the renewal's own answer; this reads a copy, taken before the app can have read it.
  const token = answer
    .then((response) => (response.ok ? response.clone().json() : undefined))
    .then((body?: { access_token?: string }) => body?.access_token)
    .catch(() => undefined);
  const answers: Record<string, Promise<{ token: string; response: Response } | undefined>> = {};
  for (const request of early) {
    // Filters in the address change a list's first page: the app asks for that one itself.
    if (request.includes('?') && window.location.search) continue;
    const url = request.replaceAll('{unit}', unit as string);
    answers[url] = token
      .then(async (value) => value
        ? { token: value, response: await fetch(url, { headers: { authorization: `Bearer ${value}` } }) }
        : undefined)
      .catch(() => undefined); // offline: the app asks again, and meets the failure as its own
  }
  window.earlyAnswers = answers;
  // The app is given the renewal once these requests are on their way (the callbacks above run first, in the order
  // they were added): taken at the same moment, the app's first render (~150 ms on a phone's 4×-slowed CPU) ran
  // before them and sent them that much later.
  const afterThem = token.then(() => answer);
  afterThem.catch(() => undefined);
  window.earlySession = afterThem;
}
// A large screen's page names its code (`screens/*.html`, written by the build): fetched now, beside the app's,
// rather than once the app has run and matched the route; after the renewal, which must not queue behind it.
// A few links a task: each costs the main thread about a millisecond (four on a phone's 4×-slowed CPU) and a screen
// names up to 30, which in one task held a phone's main thread for ~120 ms.
if (screenCode instanceof HTMLTemplateElement) {
  const links = [...screenCode.content.children];
  const addSome = () => {
    document.head.append(...links.splice(0, 6));
    if (links.length) setTimeout(addSome);
  };
  addSome();
}
