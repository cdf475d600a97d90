// Site-wide behaviour without inline scripts (the Content-Security-Policy allows scripts from our own
// static files only): small data-attribute hooks used by the templates.
(function () {
  "use strict";

  // htmx: show the "操作过于频繁" fragment of a 429 answer instead of dropping it.
  document.addEventListener("htmx:beforeSwap", function (e) {
    if (e.detail.xhr && e.detail.xhr.status === 429) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });

  // <form data-xf-sum="#id">: show the sum of its score_* inputs in that element (评价表 total).
  function sumScores(form) {
    var total = 0, any = false;
    form.querySelectorAll("input[name^='score_']").forEach(function (el) {
      var v = parseInt(el.value, 10);
      if (!isNaN(v)) { total += v; any = true; }
    });
    var out = document.querySelector(form.getAttribute("data-xf-sum"));
    if (out) out.textContent = any ? total : "–";
  }
  document.addEventListener("input", function (e) {
    var form = e.target.closest("form[data-xf-sum]");
    if (form) sumScores(form);
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-xf-sum]").forEach(sumScores);
  });

  document.addEventListener("change", function (e) {
    // <select data-xf-autosubmit>: submit the filter form on change.
    var el = e.target.closest("[data-xf-autosubmit]");
    if (el && el.form) el.form.submit();
  });

  // <form data-xf-confirm="确定…？">: ask before submitting.
  document.addEventListener("submit", function (e) {
    var form = e.target.closest("form[data-xf-confirm]");
    if (form && !window.confirm(form.getAttribute("data-xf-confirm"))) e.preventDefault();
  });

  document.addEventListener("click", function (e) {
    // <a data-xf-reload>: reload the page (retry).
    if (e.target.closest("[data-xf-reload]")) {
      e.preventDefault();
      location.reload();
      return;
    }
    // <button data-xf-clear="#id">: empty that element (hide an unmask result or form).
    var clear = e.target.closest("[data-xf-clear]");
    if (clear) {
      var target = document.querySelector(clear.getAttribute("data-xf-clear"));
      if (target) target.innerHTML = "";
      return;
    }
    // <button data-xf-print>: print the page (a notice for the board).
    if (e.target.closest("[data-xf-print]")) {
      window.print();
      return;
    }
    // <a data-xf-back>: go back one page.
    var back = e.target.closest("[data-xf-back]");
    if (back) {
      e.preventDefault();
      history.back();
      return;
    }
    // <button data-xf-tree-toggle aria-controls="id">: open or close a tree node's children.
    var toggle = e.target.closest("[data-xf-tree-toggle]");
    if (toggle) {
      var kids = document.getElementById(toggle.getAttribute("aria-controls"));
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      if (kids) kids.hidden = !open;
      return;
    }
    // <button data-xf-all-present>: mark every attendee of the form present.
    var allPresent = e.target.closest("[data-xf-all-present]");
    if (allPresent) {
      allPresent.closest("form").querySelectorAll('input.btn-check[value="present"]').forEach(function (input) {
        input.checked = true;
      });
    }
  });
})();

// The meeting-record form: the fields of one meeting type ([data-xf-show-for]) show and hide in place, and
// choosing a plan item fills the type, 党小组, topic, day, place and host it planned. Nothing typed is
// reloaded away: only the attendance list (#xf-record-roster) comes back from the server (htmx).
(function () {
  "use strict";

  function showFor(form) {
    var type = form.querySelector("[name='meeting_type']");
    if (!type) return;
    form.querySelectorAll("[data-xf-show-for]").forEach(function (el) {
      el.hidden = el.getAttribute("data-xf-show-for").split(" ").indexOf(type.value) < 0;
    });
  }

  function setValue(form, name, value, onlyIfEmpty) {
    var el = form.querySelector("[name='" + name + "']");
    if (!el || value === undefined || value === null || value === "") return false;
    if (onlyIfEmpty && el.value && el.value !== el.getAttribute("data-xf-filled")) return false;
    if (el.value === String(value)) return false;
    el.value = value;
    el.setAttribute("data-xf-filled", value);
    return true;
  }

  function fromPlanItem(form, select) {
    var opt = select.options[select.selectedIndex];
    if (!opt || !opt.value) return;
    var d = opt.dataset;
    var changed = setValue(form, "meeting_type", d.meetingType, false);
    changed = setValue(form, "group", d.group, false) || changed;
    // Text the secretary typed is kept; only empty fields, or ones this script filled, take the plan's.
    setValue(form, "topic", d.topic, true);
    setValue(form, "held_on", d.heldOn, true);
    setValue(form, "place", d.place, true);
    setValue(form, "host_name", d.hostName, true);
    setValue(form, "lecturer_name", d.lecturerName, true);
    showFor(form);
    if (changed && window.htmx) {
      var type = form.querySelector("[name='meeting_type']");
      window.htmx.trigger(type, "change");
    }
  }

  document.addEventListener("change", function (e) {
    var form = e.target.closest("form");
    if (!form || !form.querySelector("#xf-record-fields")) return;
    if (e.target.name === "meeting_type") showFor(form);
    if (e.target.name === "plan_item") fromPlanItem(form, e.target);
  });
})();

// The service worker's copy of a daily page (html[data-xf-copy="updating"|"offline"], home/templates/home/sw.js):
// shown at once while the worker fetches the fresh page, which it then sends here. The fresh page replaces
// the copy's content (the record form keeps what was typed and takes the fresh choices: a plan item recorded
// meanwhile by someone else is gone from the list) and its CSRF token. Until then nothing is sent from the
// copy: forms and htmx requests other than GET are held, and the outbox (outbox.js) waits for "xf:fresh".
(function () {
  "use strict";

  var root = document.documentElement;
  if (!root.hasAttribute("data-xf-copy") || !("serviceWorker" in navigator)) return;
  var here = function () { return location.href.split("#")[0]; };
  var isCopy = function () { return root.hasAttribute("data-xf-copy"); };

  function two(n) { return (n < 10 ? "0" : "") + n; }
  function offline() {
    root.setAttribute("data-xf-copy", "offline");
    var saved = new Date(Number(root.getAttribute("data-xf-saved")) || Date.now());
    var time = document.getElementById("xf-copy-time");
    if (time) {
      time.textContent = two(saved.getHours()) + ":" + two(saved.getMinutes());
      time.setAttribute("datetime", saved.toISOString());
    }
  }
  if (root.getAttribute("data-xf-copy") === "offline") offline();

  function hold(e) {
    e.preventDefault();
    e.stopImmediatePropagation();
    var text = document.getElementById("xf-copy-text");
    if (text) text.textContent = "正在更新…请稍候再提交";
  }
  document.addEventListener("submit", function (e) {
    // the record form goes through the outbox, which waits for the fresh page itself
    if (isCopy() && !e.target.hasAttribute("data-xf-offline")) hold(e);
  }, true);
  document.addEventListener("htmx:beforeRequest", function (e) {
    var verb = e.detail && e.detail.requestConfig ? e.detail.requestConfig.verb : "get";
    if (isCopy() && verb !== "get") hold(e);
  });

  // The form as the user has it, with the fresh page's choices: a choice no longer offered is cleared, said.
  function refreshForm(form, fresh) {
    fresh.querySelectorAll("select[name]").forEach(function (next) {
      var select = form.querySelector("select[name='" + next.name + "']");
      if (!select) return;
      var had = select.value;
      select.innerHTML = next.innerHTML;
      if (!had) return;
      var kept = Array.prototype.some.call(select.options, function (o) { return o.value === had; });
      if (kept) { select.value = had; return; }
      select.value = "";
      var note = document.createElement("div");
      note.className = "alert alert-warning small py-2 mt-2";
      note.setAttribute("role", "alert");
      note.textContent = next.name === "plan_item"
        ? "所选的计划事项已由他人登记，已从列表中移除，请重新选择。"
        : "所选的一项已不可选，请重新选择。";
      select.insertAdjacentElement("afterend", note);
      select.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  function apply(html) {
    if (!isCopy()) return;
    var doc = new DOMParser().parseFromString(html, "text/html");
    var main = document.querySelector("main"), next = doc.querySelector("main");
    var me = document.querySelector("meta[name='xf-user']"), them = doc.querySelector("meta[name='xf-user']");
    var form = main && main.querySelector("form[data-xf-offline]");
    var nextForm = next && next.querySelector("form[data-xf-offline]");
    if (!main || !next || !me || !them || me.content !== them.content || (form && !nextForm)) {
      location.reload();
      return;
    }
    // The fresh CSRF token: htmx's header, and every form's field (the menu's 退出登录 too).
    document.body.setAttribute("hx-headers", doc.body.getAttribute("hx-headers") || "{}");
    var token = doc.querySelector("input[name='csrfmiddlewaretoken']");
    if (token) {
      document.querySelectorAll("input[name='csrfmiddlewaretoken']").forEach(function (el) { el.value = token.value; });
    }
    if (form) {
      refreshForm(form, nextForm);
    } else {
      main.innerHTML = next.innerHTML;
      document.title = doc.title;
      if (window.htmx) window.htmx.process(main);
    }
    root.removeAttribute("data-xf-copy");
    root.removeAttribute("data-xf-saved");
    document.dispatchEvent(new CustomEvent("xf:fresh"));
  }

  // Offline copy: the page fetches itself when the network returns (and again every 5 s while it fails).
  var fetching = false;
  function refetch() {
    if (!isCopy() || root.getAttribute("data-xf-copy") !== "offline" || fetching || !navigator.onLine) return;
    fetching = true;
    fetch(here(), { credentials: "same-origin", cache: "no-store" }).then(function (r) {
      if (r.redirected || !r.ok) { location.reload(); return null; }
      return r.text().then(apply);
    }).catch(function () {
      setTimeout(refetch, 5000);
    }).then(function () { fetching = false; });
  }
  window.addEventListener("online", refetch);
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "visible") refetch(); });

  navigator.serviceWorker.addEventListener("message", function (e) {
    var d = e.data || {};
    if (d.url !== here() || !isCopy()) return;
    if (d.type === "xf-fresh") apply(d.html);
    else if (d.type === "xf-gone") location.reload();
    else if (d.type === "xf-offline") { offline(); refetch(); }
  });
  navigator.serviceWorker.startMessages();
  // The worker's answer lost (the worker stopped): treat the copy as offline, which fetches it here.
  setTimeout(function () { if (root.getAttribute("data-xf-copy") === "updating") { offline(); refetch(); } }, 40000);
})();

// The installable app: the service worker (served at /sw.js, home/assets.py) keeps the shell for offline use.
// Every page tells the worker this login's key as the server last set it (the `xf_page` cookie, deleted by
// any answer to a signed-out request): a worker with no cookieStore (Firefox, Safari before 18.4) keeps the
// daily pages' copies under the key the last page told it, so "" from the login page drops them all.
function xfTellKey(worker) {
  if (!worker) return;
  var match = document.cookie.match(/(?:^|;\s*)xf_page=([^;]*)/);
  worker.postMessage({ type: "xf-key", key: match ? decodeURIComponent(match[1]) : "" });
}
if ("serviceWorker" in navigator && window.isSecureContext) {
  window.addEventListener("load", function () {
    navigator.serviceWorker.register("/sw.js").catch(function () { /* the site works without it */ });
    xfTellKey(navigator.serviceWorker.controller);
    navigator.serviceWorker.ready.then(function (reg) { xfTellKey(reg.active); });
  });
}
