/**
 * The digital card as an installed app: its own manifest (linked only from the card's pages, so the officers' app
 * installs nothing) and the service worker that keeps the app shell and the card's last answer for offline use.
 */

const MANIFEST = '/the-dien-tu.webmanifest';
const LAST_CARD = 'the-dien-tu:ma';
// The service worker's cache (public/sw.js): the page adds the files it loaded before the worker took over.
const CACHE = 'the-dien-tu-v1';

/** Links the manifest and registers the worker; true once the worker is active and has this page's files. */
export async function makeInstallable(): Promise<boolean> {
  if (!document.querySelector(`link[rel="manifest"][href="${MANIFEST}"]`)) {
    const link = document.createElement('link');
    link.rel = 'manifest';
    link.href = MANIFEST;
    document.head.append(link);
  }
  if (!('serviceWorker' in navigator) || !('caches' in window)) return false;
  try {
    await navigator.serviceWorker.register('/sw.js', { scope: '/' });
    await navigator.serviceWorker.ready;
    await keepLoadedFiles();
    return true;
  } catch {
    return false;  // no worker (private mode, an old browser): the card still shows while online
  }
}

/** This page's own code (a route loaded on demand) was fetched before the worker was there: cache it too. */
async function keepLoadedFiles(): Promise<void> {
  const files = performance.getEntriesByType('resource').map((entry) => new URL(entry.name))
    .filter((url) => url.origin === window.location.origin && url.pathname.startsWith('/assets/'))
    .map((url) => url.pathname);
  const cache = await caches.open(CACHE);
  await cache.addAll([...new Set(files)]);
}

/** The card's last answer where the worker looks for it offline (it was fetched before the worker took over). */
export async function keepCardAnswer(code: string, answer: unknown): Promise<boolean> {
  if (!('caches' in window)) return false;
  const cache = await caches.open(CACHE);
  await cache.put(cardApiPath(code), new Response(JSON.stringify(answer), {
    headers: { 'content-type': 'application/json' } }));
  return true;
}

export const cardApiPath = (code: string) => `/api/v1/public/cards/verify/${encodeURIComponent(code)}`;

/** The code of the card last shown on this device: the installed app opens it at start. */
export function rememberCard(code: string): void {
  try {
    localStorage.setItem(LAST_CARD, code);
  } catch {
    // Private browsing may refuse storage: the card still shows, the app just cannot reopen it by itself.
  }
}

export function lastCard(): string | null {
  try {
    return localStorage.getItem(LAST_CARD);
  } catch {
    return null;
  }
}

/** The address a card's QR code holds: the public verification page. */
export function verificationUrl(code: string, origin = window.location.origin): string {
  return origin + cardApiPath(code);
}
