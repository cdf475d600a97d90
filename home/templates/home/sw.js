// 先锋智慧党建 service worker: version {{ version }} (a digest of the shell files, home/assets.py).
// The shell's static files come from this version's cache; a page that cannot be fetched shows the offline
// page. A new version revalidates its shell with the server (cache: "no-cache": a 304 for a file unchanged,
// the new bytes for a changed one): the static files keep their addresses across a deploy, and a copy the
// browser still holds would otherwise be taken as fresh. (cache: "reload" would download the whole shell.)
//
// The phone's daily pages (the secretary's and the member's home, the record form: COPY_PAGES, and only
// the answers their views allow, accounts.webguard.allow_device_copy) are stale-while-revalidate: a visit
// is answered at once from this login's last copy, marked as a copy (the page shows 「正在更新…」), while
// the fresh page is fetched; the fresh page goes to the open page (a message: static/js/xianfeng.js puts
// it in place, and a form takes its CSRF token and plan items before anything is sent) and becomes the
// next copy. With no network the copy stays, marked 「离线副本，更新于 HH:MM」 (offline recording).
// Copies are kept per login: under the key of the `xf_page` cookie the server keeps in step with the
// session. Every navigation drops the caches of any other key (another user, a login that ended); a page
// is stored only when the server labelled it with the same key. Signing out, or a new version, drops them.
"use strict";
const CACHE = "xianfeng-shell-{{ version }}";
const COPIES = "xianfeng-user-";  // + this login's key
const LEGACY = "xianfeng-pages";  // the record form's copy before copies were kept per login
const SHELL = {{ shell|safe }};
const OFFLINE = {{ offline|safe }};
const COPY_PAGES = {{ copy_pages|safe }};
const KEY_COOKIE = {{ key_cookie|safe }};
const KEY_HEADER = {{ key_header|safe }};
const COPY_MAX_AGE = {{ copy_max_age_ms }};
const SAVED = "X-XF-Saved";
const REVALIDATE_TIMEOUT = 30000;  // a weak link that swallows the request: the copy is then an offline one
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
      .then((keys) => Promise.all(keys.filter((k) => (k.startsWith("xianfeng-shell-") && k !== CACHE) || k.startsWith(COPIES) || k === LEGACY).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

// Where a worker has no cookieStore, the key the last page told it (static/js/xianfeng.js: every page sends
// its `xf_page` cookie, "" when signed out), kept in a cache so that a restarted worker still knows it.
const TOLD = "xianfeng-key";
const TOLD_URL = "/__xf_key";

async function tell(key) {
  const cache = await caches.open(TOLD);
  await cache.put(TOLD_URL, new Response(key));
  await keepOnly(key);
}

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type !== "xf-key" || typeof data.key !== "string" || self.cookieStore) return;
  event.waitUntil(tell(data.key));
});

async function toldKey() {
  const hit = await caches.match(TOLD_URL, { cacheName: TOLD });
  return hit ? hit.text() : "";
}

// This login's key ("" when signed out: then nothing is kept).
async function loginKey() {
  if (!self.cookieStore) return toldKey();
  try {
    const cookie = await self.cookieStore.get(KEY_COOKIE);
    return (cookie && cookie.value) || "";
  } catch (err) {
    return "";
  }
}

// Drop every other login's copies (all of them when signed out).
async function keepOnly(key) {
  const names = await caches.keys();
  const gone = names.filter((n) => (n.startsWith(COPIES) && n !== COPIES + key) || n === LEGACY);
  await Promise.all(gone.map((n) => caches.delete(n)));
}

// An answer this login may keep: a 200 HTML page the server labelled with this very key.
function keepable(response, key) {
  return response.type === "basic" && response.status === 200 && !response.redirected &&
    response.headers.get(KEY_HEADER) === key && (response.headers.get("Content-Type") || "").startsWith("text/html");
}

async function store(cache, url, response) {
  const html = await response.text();
  const headers = new Headers(response.headers);
  headers.set(SAVED, String(Date.now()));
  await cache.put(url, new Response(html, { status: 200, statusText: response.statusText, headers }));
  return html;
}

// The copy as shown: marked on <html> (the page's note and its guard on forms read it) with its time.
async function asCopy(hit, state) {
  const saved = Number(hit.headers.get(SAVED)) || 0;
  const html = (await hit.text()).replace("<html", `<html data-xf-copy="${state}" data-xf-saved="${saved}"`);
  return new Response(html, { status: 200, statusText: hit.statusText, headers: hit.headers });
}

function within(promise, ms) {
  return Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), ms))]);
}

// The page the copy was shown in (it exists once the copy's answer is committed).
async function pageOf(event) {
  for (let i = 0; i < 100; i++) {
    const client = await self.clients.get(event.resultingClientId);
    if (client) return client;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return null;
}

async function revalidate(event, url, network, cache, key) {
  let message;
  try {
    const response = await within(network, REVALIDATE_TIMEOUT);
    if (keepable(response, key)) {
      message = { type: "xf-fresh", html: await store(cache, url, response) };
    } else {
      await cache.delete(url);  // signed out meanwhile, or no longer this page: the page loads afresh
      message = { type: "xf-gone" };
    }
  } catch (err) {
    message = { type: "xf-offline" };
  }
  message.url = url;
  const client = await pageOf(event);
  if (client) client.postMessage(message);
}

// With no cookieStore the worker cannot know, before the server answers, whose login a visit is (another
// user may have signed in with no page of the site in between), so it shows no copy while the network
// answers: the page comes from the network, is kept under the key the server labelled it with (which the
// worker then takes as the login's), and only with no network is this login's last copy shown (offline).
async function networkFirst(event) {
  const request = event.request;
  try {
    const response = await fetch(request);
    const key = response.headers.get(KEY_HEADER) || "";
    const copy = keepable(response, key) && key ? response.clone() : null;
    event.waitUntil(tell(key).then(async () => {
      if (copy) await store(await caches.open(COPIES + key), request.url, copy);
    }));
    return response;
  } catch (err) {
    const key = await toldKey();
    const hit = key && await caches.match(request.url, { cacheName: COPIES + key, ignoreVary: true });
    return hit ? asCopy(hit, "offline") : caches.match(OFFLINE);
  }
}

async function dailyPage(event) {
  const request = event.request;
  if (!self.cookieStore) return networkFirst(event);
  const key = await loginKey();
  await keepOnly(key);
  const network = fetch(request);
  if (!key) return network.catch(() => caches.match(OFFLINE));
  const cache = await caches.open(COPIES + key);
  const hit = await cache.match(request.url, { ignoreVary: true });
  if (hit && Date.now() - (Number(hit.headers.get(SAVED)) || 0) < COPY_MAX_AGE) {
    event.waitUntil(revalidate(event, request.url, network, cache, key));
    return asCopy(hit, "updating");
  }
  try {
    const response = await network;
    if (keepable(response, key)) event.waitUntil(store(cache, request.url, response.clone()));
    else event.waitUntil(cache.delete(request.url));
    return response;
  } catch (err) {
    return hit ? asCopy(hit, "offline") : caches.match(OFFLINE);  // an old copy is still better offline
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && COPY_PAGES.includes(url.pathname)) {
    event.respondWith(dailyPage(event));
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(
      fetch(request).then((response) => {
        // after this answer's cookies (a sign-out deletes the key): other logins' copies go
        event.waitUntil(loginKey().then(keepOnly));
        return response;
      }, () => caches.match(OFFLINE))
    );
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
