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
    // <a data-xf-back>: go back one page.
    var back = e.target.closest("[data-xf-back]");
    if (back) {
      e.preventDefault();
      history.back();
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
