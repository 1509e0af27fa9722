{% autoescape off %}/* Juli field pages' service worker (scope /m/). Served by views_field.service_worker.
 *
 * - The app shell (CSS, scripts) is precached at install, per version: cache first.
 * - Pages under /m/ are network first; each page fetched successfully replaces its cached
 *   copy, and when the network is gone the cached copy (or /m/ itself) is served. The /m/
 *   page puts the pages it lists into the same cache (field.js, precachePages).
 * - Nothing else is touched: the API and uploads always go to the network, and the
 *   outbox (IndexedDB) is the pages' business, not this worker's.
 */
"use strict";
const VERSION = "{{ version }}";
const SHELL_CACHE = "juli-shell-" + VERSION;
const PAGES_CACHE = "juli-pages";
const SHELL = {{ shell_json }};
const HOME = "{% url 'field-home' %}";

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("juli-shell-") && k !== SHELL_CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

function pageKey(url) {
  return url.origin + url.pathname;
}

async function networkFirst(request, url) {
  const cache = await caches.open(PAGES_CACHE);
  try {
    const response = await fetch(request);
    // A redirect (to the sign-in page) or an error is shown, never kept as the page.
    if (response.ok && !response.redirected && response.type === "basic") {
      cache.put(pageKey(url), response.clone());
    }
    return response;
  } catch (error) {
    const cached = (await cache.match(pageKey(url))) || (await cache.match(url.origin + HOME));
    if (cached) return cached;
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (SHELL.includes(url.pathname)) {
    event.respondWith(caches.match(url.pathname, { cacheName: SHELL_CACHE }).then((hit) => hit || fetch(request)));
    return;
  }
  if (request.mode === "navigate" && url.pathname.startsWith(HOME) && url.pathname !== HOME + "sw.js") {
    event.respondWith(networkFirst(request, url));
  }
});
{% endautoescape %}
