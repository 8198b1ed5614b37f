// The field app's service worker (scope /lapangan/). CONFIG is written above this line by the server
// (fieldapp.views.service_worker): the cache version, the shell's URL, the reference data and the static
// files. On install it keeps them all; static files are answered from the cache first, the shell, the
// reference data and the API from the network first with the kept copy when there is no network.
// The sync POST is never touched: it goes to the network or fails, and the queue stays on the phone.

const CACHE = `lapangan-${CONFIG.version}`;

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await cache.addAll(CONFIG.static);
      // The shell and the reference data need the session: kept when the agent is signed in.
      await Promise.all(
        [CONFIG.shell, ...CONFIG.data].map(async (url) => {
          const response = await fetch(url, { credentials: "same-origin", redirect: "manual" });
          if (response.ok) await cache.put(url, response);
        }),
      );
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(names.filter((n) => n.startsWith("lapangan-") && n !== CACHE).map((n) => caches.delete(n)));
      await self.clients.claim();
    })(),
  );
});

async function cacheFirst(request) {
  const kept = await caches.match(request, { ignoreSearch: true });
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok) (await caches.open(CACHE)).put(request, response.clone());
  return response;
}

async function networkFirst(request, key) {
  try {
    const response = await fetch(request);
    // Only a real answer replaces the kept copy: not the sign-in page a lapsed session redirects to.
    if (response.ok && !response.redirected) (await caches.open(CACHE)).put(key, response.clone());
    return response;
  } catch (error) {
    const kept = await caches.match(key, { ignoreSearch: true });
    if (kept) return kept;
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (CONFIG.static.includes(url.pathname)) {
    event.respondWith(cacheFirst(request));
  } else if (request.mode === "navigate" && url.pathname === CONFIG.shell) {
    event.respondWith(networkFirst(request, CONFIG.shell));
  } else if (CONFIG.data.includes(url.pathname)) {
    event.respondWith(networkFirst(request, url.pathname));
  }
});
