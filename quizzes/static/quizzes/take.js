// Taking a quiz: each answer is saved as it is chosen; answers not yet saved are kept in this browser
// (localStorage) and sent again when the connection comes back; the countdown follows the server's
// deadline (the server refuses answers after it, whatever this clock says).
(function () {
  "use strict";
  var form = document.getElementById("quiz-form");
  if (!form) return;
  var saveUrl = form.dataset.saveUrl;
  var key = "xf-quiz-" + form.dataset.attempt;
  var statusEl = document.getElementById("quiz-status");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var pending = {};
  var sending = false;
  try { pending = JSON.parse(localStorage.getItem(key) || "{}"); } catch (e) { pending = {}; }

  function say(text) { if (statusEl) statusEl.textContent = text; }
  function keep() { try { localStorage.setItem(key, JSON.stringify(pending)); } catch (e) { /* private mode */ } }

  function answerOf(fieldset) {
    var q = fieldset.dataset.question;
    if (fieldset.dataset.kind === "fill") {
      return Array.prototype.map.call(fieldset.querySelectorAll("input"), function (i) { return i.value; });
    }
    return Array.prototype.filter.call(fieldset.querySelectorAll("input[name=q_" + q + "]"), function (i) {
      return i.checked;
    }).map(function (i) { return parseInt(i.value, 10); });
  }

  function restore() {
    Object.keys(pending).forEach(function (q) {
      var fieldset = form.querySelector("fieldset[data-question='" + q + "']");
      if (!fieldset) { delete pending[q]; return; }
      var value = pending[q];
      if (fieldset.dataset.kind === "fill") {
        fieldset.querySelectorAll("input").forEach(function (input, n) { input.value = value[n] || ""; });
      } else {
        fieldset.querySelectorAll("input").forEach(function (input) {
          input.checked = value.indexOf(parseInt(input.value, 10)) >= 0;
        });
      }
    });
  }

  function flush() {
    var batch = Object.assign({}, pending);
    if (sending || Object.keys(batch).length === 0) return;
    sending = true;
    say("保存中…");
    fetch(saveUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ answers: batch }),
      credentials: "same-origin",
    }).then(function (response) {
      if (response.ok) {
        Object.keys(batch).forEach(function (q) {
          if (JSON.stringify(pending[q]) === JSON.stringify(batch[q])) delete pending[q];
        });
        keep();
        say("已保存");
      } else {
        return response.json().then(function (body) {
          say(body.error || "保存失败");
          if (response.status === 409) window.location.reload();
        });
      }
    }).catch(function () {
      say("网络中断，答案已暂存在本机，恢复后自动保存");
    }).finally(function () {
      sending = false;
    });
  }

  form.addEventListener("change", function (event) {
    var fieldset = event.target.closest("fieldset[data-question]");
    if (!fieldset) return;
    pending[fieldset.dataset.question] = answerOf(fieldset);
    keep();
    flush();
  });
  window.addEventListener("online", flush);
  setInterval(flush, 5000);

  form.addEventListener("submit", function (event) {
    if (!navigator.onLine) {
      event.preventDefault();
      say("网络未连接，答案已暂存，请恢复网络后再交卷");
      return;
    }
    localStorage.removeItem(key);
  });

  var timer = document.getElementById("quiz-timer");
  if (timer) {
    var end = Date.now() + parseInt(timer.dataset.remaining, 10) * 1000;
    var tick = function () {
      var left = Math.max(0, Math.round((end - Date.now()) / 1000));
      var m = Math.floor(left / 60), s = left % 60;
      timer.textContent = (m < 10 ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
      if (left <= 0) {
        clearInterval(handle);
        say("时间到，正在交卷");
        form.requestSubmit ? form.requestSubmit() : form.submit();
      }
    };
    var handle = setInterval(tick, 1000);
    tick();
  }

  restore();
  flush();
})();
