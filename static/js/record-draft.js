// The meeting-record form without a network (form[data-xf-offline], orglife/records/form.html).
//
// Everything typed and marked is kept on the device as a draft (IndexedDB, through outbox.js) and put
// back when the form is opened again; chosen photos are made small here (long side at most 2,000 px,
// re-drawn on a canvas, so nothing of the camera's EXIF is kept) and kept with the draft. Saving puts the
// draft in the outbox, which stores it on the server now or when the network returns. The draft keeps
// the meeting's own date: a meeting older than the back-fill limit goes in as a 补录, never as today's.
(function () {
  "use strict";

  var form = document.querySelector("form[data-xf-offline]");
  var outbox = window.xfOutbox;
  if (!form || !outbox || !outbox.userId || !("indexedDB" in window)) return;

  var LONG_SIDE = 2000;
  var MAX_PHOTOS = 9;
  var SKIP = { csrfmiddlewaretoken: 1, client_key: 1, photos: 1, attachments: 1, then: 1 };
  var org = form.getAttribute("data-xf-offline");
  var photoInput = form.querySelector("input[name='photos']");
  // 拍照: the camera straight from the form (capture), one shot a time, into the same list as the picker's
  var cameraInput = form.querySelector("input[data-xf-camera]");
  var list = document.getElementById("xf-draft-photos");
  var notice = document.getElementById("xf-draft-notice");
  var item = null;
  var timer = null;

  // Other attachments (签到表 PDF…) are not kept offline: they go on the record's page once it is saved.
  form.querySelectorAll("[data-xf-online-only]").forEach(function (el) { el.hidden = true; });
  form.querySelectorAll("[data-xf-offline-note]").forEach(function (el) { el.hidden = false; });

  function fresh() {
    return { key: outbox.newKey(), user: outbox.userId, org: org, url: location.pathname + location.search,
             fields: {}, photos: [], state: "draft", then: "draft" };
  }

  // ------------------------------------------------------------ fields ⇄ draft
  function collect() {
    var fields = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || SKIP[el.name] || el.disabled) return;
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) return;
      fields[el.name] = el.value;
    });
    return fields;
  }

  // Puts the draft back; says whether its plan item is no longer offered (recorded meanwhile by someone else).
  function restore(fields) {
    var lost = false;
    Object.keys(fields).forEach(function (name) {
      var els = form.querySelectorAll("[name='" + name + "']");
      Array.prototype.forEach.call(els, function (el) {
        if (el.type === "radio" || el.type === "checkbox") el.checked = el.value === fields[name];
        else el.value = fields[name];
        if (name === "plan_item" && fields[name] && el.value !== fields[name]) lost = true;
      });
    });
    form.querySelector("[name='client_key']").value = item.key;
    return lost;
  }

  function save() {
    if (!item || item.state !== "draft" && item.state !== "attention") return Promise.resolve();
    item.fields = collect();
    return outbox.store.put(item);
  }

  function saveSoon() {
    clearTimeout(timer);
    timer = setTimeout(save, 300);
  }

  // ------------------------------------------------------------ photos
  function shrink(file) {
    var decode = window.createImageBitmap
      ? createImageBitmap(file, { imageOrientation: "from-image" })
      : new Promise(function (resolve, reject) {
          var img = new Image();
          img.onload = function () { resolve(img); };
          img.onerror = reject;
          img.src = URL.createObjectURL(file);
        });
    return decode.then(function (image) {
      var w = image.width, h = image.height, scale = Math.min(1, LONG_SIDE / Math.max(w, h));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(w * scale);
      canvas.height = Math.round(h * scale);
      canvas.getContext("2d").drawImage(image, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", 0.85); });
    });
  }

  var LABELS = { pending: "待上传", waiting: "等待联网", sending: "上传中", done: "已上传", failed: "上传失败" };

  function showPhotos() {
    list.innerHTML = "";
    (item ? item.photos : []).forEach(function (photo) {
      var li = document.createElement("li");
      li.className = "xf-draft-photo";
      li.setAttribute("data-state", photo.state);
      if (photo.blob) {
        var img = document.createElement("img");
        img.src = URL.createObjectURL(photo.blob);
        img.alt = photo.name;
        li.appendChild(img);
      }
      var text = document.createElement("span");
      text.className = "small";
      var label = LABELS[photo.state] || photo.state;
      if (photo.state === "sending" && photo.progress) label += " " + photo.progress + "%";
      text.textContent = photo.name + "：" + label + (photo.error ? "（" + photo.error + "）" : "");
      li.appendChild(text);
      if (photo.state !== "done" && photo.state !== "sending") {
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "btn btn-sm btn-outline-secondary";
        remove.textContent = "移除";
        remove.setAttribute("aria-label", "移除照片" + photo.name);
        remove.addEventListener("click", function () {
          item.photos = item.photos.filter(function (p) { return p !== photo; });
          outbox.store.put(item);
        });
        li.appendChild(remove);
      }
      list.appendChild(li);
    });
  }

  function addPhotos(files) {
    if (!item) item = fresh();
    var room = MAX_PHOTOS - item.photos.length;
    var chosen = Array.prototype.slice.call(files, 0, Math.max(room, 0));
    if (files.length > chosen.length) say("warning", "每条纪实最多 " + MAX_PHOTOS + " 张照片，多选的未加入");
    return chosen.reduce(function (chain, file) {
      return chain.then(function () { return shrink(file); }).then(function (blob) {
        item.photos.push({ id: outbox.newKey(), name: file.name.replace(/\.[^.]+$/, "") + ".jpg", blob: blob, state: "pending" });
      }, function () {
        say("danger", "“" + file.name + "”无法识别为图片，未加入");
      });
    }, Promise.resolve()).then(function () {
      photoInput.value = "";
      item.fields = collect();
      return outbox.store.put(item);
    });
  }

  // ------------------------------------------------------------ messages
  function say(kind, text, link) {
    notice.className = "alert alert-" + kind + " small";
    notice.hidden = false;
    notice.textContent = text;
    if (link) {
      var a = document.createElement("a");
      a.href = link.href;
      a.className = "alert-link ms-1";
      a.textContent = link.text;
      notice.appendChild(a);
    }
  }

  // What the browser can tell before sending: the server checks everything again.
  function missing(fields) {
    var labels = { topic: "主题", held_on: "日期", start_time: "开始时间", end_time: "结束时间", place: "地点",
                   host_name: "主持人", recorder_name: "记录人", content: "会议内容" };
    var out = Object.keys(labels).filter(function (k) { return !(fields[k] || "").trim(); }).map(function (k) { return "请填写" + labels[k]; });
    form.querySelectorAll("#attendance .xf-att").forEach(function (row) {
      var radio = row.querySelector("input.btn-check");
      var name = radio && radio.name;
      if (!name) return;
      var who = row.querySelector(".xf-att-name").textContent.trim().split(/\s/)[0];
      if (!fields[name]) out.push(who + "未标记出席或缺席");
      else if (fields[name] === "absent" && !(fields["reason-" + name.slice(4)] || "").trim()) out.push(who + "缺席，请填写缺席原因");
    });
    if (!item || !item.photos.length) out.push("请至少选择1张会议照片");
    return out;
  }

  function describe(it) {
    if (it.state === "login") {
      say("warning", it.message, { href: "/accounts/login/?next=" + encodeURIComponent(it.url), text: "重新登录" });
    } else if (it.state === "attention" && it.recordId) {
      say("danger", "未能提交：" + it.message + "。纪实已保存为草稿，照片可重试或移除后再次提交。",
          { href: "/orglife/records/" + it.recordId + "/", text: "查看已保存的纪实" });
    } else if (it.state === "attention") {
      say("danger", "未能提交：" + it.message + "。草稿仍保存在本机，修改后可再次提交。");
    } else if (it.state === "queued") {
      say("info", navigator.onLine ? "正在提交……" : "网络未连接：纪实已保存在本机，联网后自动提交，可以关闭本页。");
    }
  }

  function lock(locked) {
    form.querySelectorAll("fieldset[data-xf-draft-fields]").forEach(function (f) { f.disabled = locked; });
  }

  // ------------------------------------------------------------ events
  form.addEventListener("input", function (e) { if (e.target !== photoInput && e.target !== cameraInput) { if (!item) item = fresh(); saveSoon(); } });
  form.addEventListener("change", function (e) {
    if (e.target === photoInput) addPhotos(photoInput.files);
    else if (cameraInput && e.target === cameraInput) addPhotos(cameraInput.files).then(function () { cameraInput.value = ""; });
    else { if (!item) item = fresh(); saveSoon(); }
  });
  // The attendance list comes back from the server when the meeting type changes: mark it as drafted.
  document.body.addEventListener("htmx:afterSettle", function () { if (item) restore(item.fields); });

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (!item) item = fresh();
    var fields = collect();
    var problems = missing(fields);
    if (problems.length) { say("danger", problems.join("；")); return; }
    item.fields = fields;
    item.then = e.submitter && e.submitter.value === "draft" ? "draft" : "submit";
    item.state = "queued";
    item.message = "";
    item.photos.forEach(function (p) { if (p.state === "failed") { p.state = "pending"; p.error = ""; } });
    lock(true);
    outbox.store.put(item).then(outbox.run);
  });

  window.addEventListener("xf-outbox", function (e) {
    var it = e.detail.item;
    if (!item || it.key !== item.key) return;
    item = it;
    showPhotos();
    if (e.detail.removed && it.state === "sent") {
      say("success", "已提交。", null);
      location.assign("/orglife/records/" + it.recordId + "/");
      return;
    }
    if (it.state === "attention") lock(false);
    describe(it);
  });

  // ------------------------------------------------------------ open: the draft of this branch, if any
  outbox.store.all().then(function (items) {
    var mine = items.filter(function (i) { return i.user === outbox.userId && i.org === org; });
    var open = mine.filter(function (i) { return i.state === "draft" || i.state === "attention"; })
      .sort(function (a, b) { return b.savedAt - a.savedAt; })[0];
    var waiting = mine.filter(function (i) { return i.state === "queued" || i.state === "login"; });
    if (open) {
      item = open;
      var lost = restore(item.fields);
      showPhotos();
      if (item.state === "attention") describe(item);
      else if (lost) say("warning", "已恢复本机保存的草稿；草稿所选的计划事项已由他人登记，请重新选择。");
      else say("info", "已恢复本机保存的草稿（" + new Date(item.savedAt).toLocaleString("zh-CN") + "）。");
      if (window.htmx && item.fields.meeting_type) {
        window.htmx.trigger(form.querySelector("[name='meeting_type']"), "change");
      }
    } else if (waiting.length) {
      describe(waiting[0]);
    }
  });
})();
