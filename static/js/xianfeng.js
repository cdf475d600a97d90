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

// The installable app: the service worker (served at /sw.js, home/assets.py) keeps the shell for offline use.
if ("serviceWorker" in navigator && window.isSecureContext) {
  window.addEventListener("load", function () {
    navigator.serviceWorker.register("/sw.js").catch(function () { /* the site works without it */ });
  });
}
