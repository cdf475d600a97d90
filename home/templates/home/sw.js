// 先锋智慧党建 service worker: version {{ version }} (a digest of the shell files, home/assets.py).
// Pages come from the network (they are personal and change); the shell's static files come from this
// version's cache; a page that cannot be fetched shows the offline page. The few pages that work offline
// (the meeting-record form) are kept as last fetched, per address, and shown when the network is gone;
// a new version, or signing out (static/js/outbox.js), drops them.
// A new version revalidates its shell with the server (cache: "no-cache": a 304 for a file unchanged, the new
// bytes for a changed one): the static files keep their addresses across a deploy, and a copy the browser
// still holds would otherwise be taken as fresh. (cache: "reload" would download the whole shell again.)
"use strict";
const CACHE = "xianfeng-shell-{{ version }}";
const PAGES = "xianfeng-pages";
const SHELL = {{ shell|safe }};
const OFFLINE = {{ offline|safe }};
const OFFLINE_PAGES = {{ offline_pages|safe }};
const STATIC = {{ static_prefix|safe }};

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll([...SHELL, OFFLINE].map((url) => new Request(url, { cache: "no-cache" }))))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => (k.startsWith("xianfeng-shell-") && k !== CACHE) || k === PAGES).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && OFFLINE_PAGES.includes(url.pathname)) {
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok && response.type === "basic") {
            const copy = response.clone();
            caches.open(PAGES).then((cache) => cache.put(request, copy));
          }
          return response;
        })
        .catch(() => caches.match(request, { cacheName: PAGES, ignoreVary: true }).then((hit) => hit || caches.match(OFFLINE)))
    );
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(() => caches.match(OFFLINE)));
    return;
  }
  if (url.pathname.startsWith(STATIC)) {
    event.respondWith(
      caches.open(CACHE).then((cache) =>
        cache.match(request).then((hit) => hit || fetch(request).then((response) => {
          if (response.ok) cache.put(request, response.clone());
          return response;
        }))
      )
    );
  }
});
