// 教育片观看计时：每 3 秒发送一次带签名的心跳（播放位置、页面是否可见）；学时由服务器按实际经过的时间认定。
(function () {
  "use strict";
  var video = document.getElementById("xf-video");
  if (!video) return;
  var box = document.getElementById("xf-watch");
  var status = document.getElementById("xf-watch-status");
  var csrf = box.dataset.csrf;
  var stream = null, key = null, seq = 0, timer = null;
  var enc = new TextEncoder();

  function hex(buf) {
    return Array.prototype.map.call(new Uint8Array(buf), function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function sign(message) {
    return crypto.subtle.importKey("raw", enc.encode(key), { name: "HMAC", hash: "SHA-256" }, false, ["sign"])
      .then(function (k) { return crypto.subtle.sign("HMAC", k, enc.encode(message)); }).then(hex);
  }
  function post(url, body) {
    return fetch(url, { method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrf, "Content-Type": "application/json" }, body: JSON.stringify(body || {}) });
  }
  function show(data) {
    if (!data || data.total === undefined) return;
    var pct = Math.min(100, Math.floor(data.total * 100 / Number(box.dataset.duration)));
    status.textContent = data.completed ? "已完成观看（" + pct + "%）" : "已认定观看 " + pct + "%";
  }
  function beat(event) {
    if (!stream) return;
    seq += 1;
    var position = Math.round(video.currentTime * 10) / 10;
    // The beat sent as playback pauses or ends reports the stretch played since the last one (the server still
    // caps it by the wall-clock time), so a film watched to its end loses nothing.
    var stopping = event && (event.type === "pause" || event.type === "ended");
    var hidden = document.visibilityState === "hidden" || (video.paused && !stopping);
    var n = seq;
    sign(stream + ":" + n + ":" + position.toFixed(1) + ":" + (hidden ? 1 : 0)).then(function (sig) {
      return post(box.dataset.beat, { stream: stream, seq: n, position: position, hidden: hidden, sig: sig });
    }).then(function (r) {
      if (r.status === 409) { return r.json().then(function (d) { if (d.reason === "stale") { status.textContent = "已在其他页面播放，本页不再计时"; stop(); } }); }
      if (r.status === 403 || r.status === 302) { status.textContent = "登录已过期，请重新登录"; stop(); return null; }
      return r.json().then(show);
    }).catch(function () { /* 网络中断：下一次心跳带着播放位置补上 */ });
  }
  function stop() { if (timer) { clearInterval(timer); timer = null; } }
  function start() {
    if (stream) return Promise.resolve();
    return post(box.dataset.start).then(function (r) { return r.json(); }).then(function (d) {
      stream = d.stream; key = d.key; seq = 0;
      if (d.position && Math.abs(video.currentTime - d.position) > 2) { video.currentTime = d.position; }
      timer = setInterval(beat, 3000);
    });
  }
  video.addEventListener("play", start);
  video.addEventListener("pause", beat);
  document.addEventListener("visibilitychange", beat);
})();
