// The device's own outbox for meeting records made without a network (loaded on every page).
//
// A record waits here, in IndexedDB, with its photos (already made small on the device), until it is
// stored: sent when the page opens, when the network comes back and when the app comes to the front.
// Background Sync alone is not enough (Safari and in-app browsers such as WeChat's never run it).
// Every step is safe to repeat: the record carries its own key (Idempotency-Key, stored once on the
// server), each photo goes in chunks keyed by its upload id and index, and submitting twice is refused
// harmlessly. The record form (record-draft.js) keeps its draft in the same store.
(function () {
  "use strict";

  var DB_NAME = "xianfeng-offline";
  var STORE = "records";
  var CHUNK = 256 * 1024;
  var API = "/api/v1/orglife/records/";

  // ------------------------------------------------------------ storage
  function openDb() {
    return new Promise(function (resolve, reject) {
      var req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = function () { req.result.createObjectStore(STORE, { keyPath: "key" }); };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }

  function withStore(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result = work(tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); resolve(result && "result" in result ? result.result : undefined); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }

  var store = {
    all: function () { return withStore("readonly", function (s) { return s.getAll(); }); },
    get: function (key) { return withStore("readonly", function (s) { return s.get(key); }); },
    put: function (item) {
      item.savedAt = Date.now();
      return withStore("readwrite", function (s) { s.put(item); }).then(function () { announce(item); });
    },
    remove: function (item) {
      return withStore("readwrite", function (s) { s.delete(item.key); }).then(function () { announce(item, true); });
    },
  };

  // The page (record-draft.js, the status line) hears every change.
  function announce(item, removed) {
    window.dispatchEvent(new CustomEvent("xf-outbox", { detail: { item: item, removed: !!removed } }));
  }

  function newKey() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  }

  // ------------------------------------------------------------ the server
  var meta = document.querySelector("meta[name='xf-user']");
  var userId = meta ? meta.content : "";

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; }
    catch (e) { return ""; }
  }

  function Refused(kind, message) { this.kind = kind; this.message = message; }

  function messagesOf(body) {
    if (!body || typeof body !== "object") return "服务器拒绝了这次提交";
    var out = [];
    Object.keys(body).forEach(function (k) { out = out.concat(body[k]); });
    return out.join("；");
  }

  // One API call. A network failure rejects with the browser's error (the item stays and is retried);
  // an answer the server gave rejects with Refused: "login" (session ended), "invalid" (400),
  // "locked" (409), "gone" (404/403). A call with no answer within TIMEOUT (a weak link that swallows the
  // request, or a response that stops half way) is abandoned like a network failure: otherwise one hung
  // request would hold the whole queue until the page is closed.
  var TIMEOUT = 30000;

  function call(method, url, body, headers) {
    var init = { method: method, credentials: "same-origin", headers: Object.assign({ "X-CSRFToken": csrfToken() }, headers || {}) };
    if (body !== undefined) init.body = body;
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var timer = null;
    if (controller) {
      init.signal = controller.signal;
      timer = setTimeout(function () { controller.abort(); }, TIMEOUT);
    }
    var timedOut = function () { return controller !== null && controller.signal.aborted; };
    return fetch(url, init).then(function (r) {
      return r.json().catch(function (err) {
        if (timedOut()) throw err;  // the answer stopped half way: not an empty answer
        return null;
      }).then(function (data) {
        if (r.ok) return data;
        var text = data && data.detail ? data.detail : messagesOf(data);
        if (r.status === 401 || (r.status === 403 && /CSRF/i.test(text))) throw new Refused("login", "登录已过期");
        if (r.status === 400) throw new Refused("invalid", text);
        if (r.status === 409) throw new Refused("locked", text);
        if (r.status === 403 || r.status === 404) throw new Refused("gone", text || "无权登记该支部的纪实");
        throw new Error("server " + r.status);  // 5xx, 429: try again later
      });
    }).then(function (data) {
      clearTimeout(timer);
      return data;
    }, function (err) {
      clearTimeout(timer);
      if (timedOut() && !(err instanceof Refused)) throw new Error("no answer within " + TIMEOUT / 1000 + " s");
      throw err;
    });
  }

  function recordBody(item) {
    var f = item.fields, num = function (v) { return v === "" || v === undefined ? null : Number(v); };
    var attendance = [];
    Object.keys(f).forEach(function (name) {
      var m = /^att-(\d+)$/.exec(name);
      if (m) attendance.push({ member: Number(m[1]), present: f[name] === "present", reason: f["reason-" + m[1]] || "" });
    });
    return JSON.stringify({
      org: Number(item.org), meeting_type: f.meeting_type, group: num(f.group), plan_item: num(f.plan_item),
      topic: f.topic || "", started_at: f.held_on + "T" + f.start_time, ended_at: f.held_on + "T" + f.end_time,
      place: f.place || "", host_name: f.host_name || "", recorder_name: f.recorder_name || "",
      lecturer_name: f.lecturer_name || "", agenda: f.agenda || "", content: f.content || "",
      decisions: f.decisions || "", vote_subject: f.vote_subject || "", votes_yes: num(f.votes_yes),
      votes_no: num(f.votes_no), votes_abstain: num(f.votes_abstain), attendance: attendance,
    });
  }

  function sendPhoto(item, photo) {
    var base = API + item.recordId + "/photo-uploads/" + photo.id + "/";
    var total = Math.max(1, Math.ceil(photo.blob.size / CHUNK));
    return call("GET", base).then(function (state) {
      if (state.done) return;
      var have = new Set(state.total === total ? state.received : []);
      var chain = Promise.resolve();
      for (var i = 0; i < total; i++) {
        if (have.has(i)) continue;
        chain = chain.then(sendChunk.bind(null, item, photo, base, i, total));
      }
      return chain.then(function () { return call("POST", base + "complete/"); });
    });
  }

  function sendChunk(item, photo, base, index, total) {
    var url = base + "chunks/" + index + "/?total=" + total + "&name=" + encodeURIComponent(photo.name);
    var part = photo.blob.slice(index * CHUNK, (index + 1) * CHUNK);
    return call("POST", url, part, { "Content-Type": "application/octet-stream" }).then(function () {
      photo.progress = Math.round(((index + 1) / total) * 100);
      announce(item);
    });
  }

  // ------------------------------------------------------------ one record, step by step
  function send(item) {
    var steps = Promise.resolve();
    if (!item.recordId) {
      steps = steps.then(function () {
        return call("POST", API, recordBody(item), { "Content-Type": "application/json", "Idempotency-Key": item.key });
      }).then(function (record) {
        item.recordId = record.id;
        return store.put(item);
      });
    }
    return steps.then(function () {
      var photos = item.photos.filter(function (p) { return p.state !== "done"; });
      return photos.reduce(function (chain, photo) {
        return chain.then(function () {
          photo.state = "sending";
          announce(item);
          return sendPhoto(item, photo).then(function () {
            photo.state = "done";
            photo.error = "";
            photo.blob = null;  // stored on the server; the device keeps no copy
            return store.put(item);
          }, function (err) {
            if (!(err instanceof Refused) || err.kind === "login") { photo.state = "waiting"; throw err; }
            photo.state = "failed";
            photo.error = err.message;
            return store.put(item);
          });
        });
      }, Promise.resolve());
    }).then(function () {
      if (item.photos.some(function (p) { return p.state === "failed"; })) {
        throw new Refused("invalid", "有照片未能上传，请查看下方说明后重试或移除");
      }
      if (item.then !== "submit") return null;
      return call("POST", API + item.recordId + "/submit/").catch(function (err) {
        if (err instanceof Refused && err.kind === "locked") return null;  // submitted already (a resend)
        throw err;
      });
    }).then(function () {
      item.state = "sent";
      return store.remove(item);
    }, function (err) {
      if (!(err instanceof Refused)) { item.state = "queued"; return store.put(item); }  // no network: later
      item.state = err.kind === "login" ? "login" : "attention";
      item.message = err.kind === "login" ? "登录已过期，请重新登录；纪实已保存在本机，登录后自动提交" : err.message;
      return store.put(item);
    });
  }

  // Send every item of this user that is waiting, one at a time; one run per tab at a time, and one per
  // device where the browser has Web Locks.
  var running = null;
  function run() {
    if (!userId || !("indexedDB" in window)) return Promise.resolve();
    // A page shown from the service worker's copy holds an old CSRF token: wait for the fresh page
    // (xianfeng.js fires "xf:fresh", below).
    if (document.documentElement.hasAttribute("data-xf-copy")) return Promise.resolve();
    if (running) return running;
    var work = function () {
      return store.all().then(function (items) {
        var mine = items.filter(function (i) { return i.user === userId && (i.state === "queued" || i.state === "login"); });
        return mine.reduce(function (chain, item) { return chain.then(function () { return send(item); }); }, Promise.resolve());
      });
    };
    var locked = navigator.locks ? function () { return navigator.locks.request("xf-outbox", work); } : work;
    running = locked().catch(function () { /* kept for the next try */ }).then(function () {
      running = null;
      showStatus();
      return retryIfWaiting();
    });
    return running;
  }

  // A send that failed on the network while the device says it is online (the first request after the
  // signal returns often does, on a weak village link) is tried again by itself, 3 s, 6 s, … up to 60 s
  // apart, instead of waiting for the next focus or `online` event. Offline, the `online` event resumes.
  var retryDelay = 0, retryTimer = null;
  function retryIfWaiting() {
    return store.all().then(function (items) {
      var waiting = items.some(function (i) { return i.user === userId && i.state === "queued"; });
      if (!waiting) { retryDelay = 0; return; }
      if (retryTimer || !navigator.onLine) return;
      retryDelay = Math.min(retryDelay ? retryDelay * 2 : 3000, 60000);
      retryTimer = setTimeout(function () { retryTimer = null; run(); }, retryDelay);
    }).catch(function () {});
  }

  // ------------------------------------------------------------ the status line of every page
  function showStatus() {
    var el = document.getElementById("xf-outbox-status");
    if (!el || !userId) return;
    store.all().then(function (items) {
      var mine = items.filter(function (i) { return i.user === userId && i.state !== "draft"; });
      var login = mine.some(function (i) { return i.state === "login"; });
      var attention = mine.filter(function (i) { return i.state === "attention"; });
      el.hidden = mine.length === 0;
      var link = el.querySelector("a");
      el.querySelector("span").textContent = login
        ? "登录已过期：本机有 " + mine.length + " 份纪实等待提交，重新登录后自动提交。"
        : attention.length
          ? "本机有 " + attention.length + " 份纪实未能提交，请查看原因。"
          : "本机有 " + mine.length + " 份纪实等待联网提交。";
      if (link && mine.length) link.href = mine[0].url;
    }).catch(function () {});
  }

  window.xfOutbox = { store: store, run: run, newKey: newKey, userId: userId, CHUNK: CHUNK };

  // Signed out: no personal page kept (the worker drops them too, on its next navigation: home/templates/home/sw.js).
  if (!userId && "caches" in window) {
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (n) { return n.indexOf("xianfeng-user-") === 0 || n === "xianfeng-pages"; })
        .map(function (n) { return caches.delete(n); }));
    }).catch(function () {});
  }
  document.addEventListener("xf:fresh", run);
  window.addEventListener("online", run);
  window.addEventListener("focus", run);
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "visible") run(); });
  window.addEventListener("xf-outbox", showStatus);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run);
  else run();
})();
