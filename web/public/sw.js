/*
 * The member's digital card offline. On install: the app shell (index.html and the files it names). Then the
 * app's own files cache-first (their names change with each build), pages network-first with the shell as the
 * fallback, and the card verification's last answer network-first, so a card opened once opens without a network.
 * Nothing else (the officers' API) passes through here.
 */
const CACHE = 'the-dien-tu-v1';  // also named in src/features/public/components/installable.ts
const SHELL = '/index.html';
const STATIC = ['/favicon.svg', '/the-dien-tu.webmanifest', '/icon-192.png', '/icon-512.png'];
const CARD_API = '/api/v1/public/cards/verify/';

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    const response = await fetch(SHELL, { cache: 'no-cache' });
    const html = await response.clone().text();
    await cache.put(SHELL, response);
    const named = [...html.matchAll(/(?:src|href)="(\/[^"]+)"/g)].map((match) => match[1]);
    await cache.addAll([...new Set([...named, ...STATIC])]);
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (request.mode === 'navigate' && !url.pathname.startsWith('/docs')) {
    // Every app page is the same index.html (the API's own docs page is not, and is not kept), but for the
    // sign-in page, which has the form prerendered in it: it is served, not kept as the shell.
    event.respondWith(networkFirst(request, url.pathname.startsWith('/dang-nhap') ? null : SHELL, SHELL));
  } else if (url.pathname.startsWith('/assets/') || STATIC.includes(url.pathname)) {
    event.respondWith(cacheFirst(request));
  } else if (url.pathname.startsWith(CARD_API)) {
    event.respondWith(networkFirst(request, url.pathname));
  }
});

async function networkFirst(request, key, fallback = key) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && key) await cache.put(key, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(fallback, { ignoreVary: true });
    if (cached) return cached;
    throw error;
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  // The gateway answers `Vary: Origin` (CORS): a module script asks with an Origin the cached copy was fetched
  // without. The files are named by their content, so any stored copy is the right one.
  const cached = await cache.match(request, { ignoreVary: true });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}
