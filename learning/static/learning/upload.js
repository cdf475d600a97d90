// 发布教育片：显示上传进度（大文件在手机上要传一会儿），服务器校验通过后转到详情页，在那里看“处理中 → 可播放”。
(function () {
  "use strict";
  var form = document.getElementById("xf-video-upload");
  if (!form || !window.XMLHttpRequest || !window.FormData || !window.DOMParser) return;

  function set(p, text) {
    var box = document.getElementById("xf-upload-progress");
    box.hidden = false;
    box.querySelector(".progress-bar").style.width = p + "%";
    box.querySelector(".progress").setAttribute("aria-valuenow", String(p));
    document.getElementById("xf-upload-pct").textContent = p + "%";
    if (text) document.getElementById("xf-upload-stage").textContent = text;
  }

  form.addEventListener("submit", function (event) {
    var input = form.querySelector("input[type=file]");
    var file = input && input.files && input.files[0];
    if (!file) return; // nothing to upload: an ordinary submit
    event.preventDefault();
    var limit = Number(form.dataset.maxMb) * 1024 * 1024;
    if (limit && file.size > limit) {
      set(0, "文件超过 " + form.dataset.maxMb + " MB，无法上传");
      return;
    }
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    set(0, "上传中");
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action || window.location.href);
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) set(Math.floor(e.loaded * 100 / e.total), "上传中");
    });
    xhr.upload.addEventListener("load", function () { set(100, "上传完成，正在校验文件"); });
    xhr.addEventListener("load", function () {
      if (xhr.responseURL && xhr.responseURL !== window.location.href) {
        window.location.assign(xhr.responseURL); // the video's page: 处理中 → 可播放
        return;
      }
      // The form again with the server's reasons (the file must be picked again).
      var fresh = new DOMParser().parseFromString(xhr.responseText, "text/html").getElementById("xf-video-upload");
      if (fresh) form.innerHTML = fresh.innerHTML;
      else button.disabled = false;
    });
    xhr.addEventListener("error", function () {
      button.disabled = false;
      set(0, "网络中断，上传失败，请重试");
    });
    xhr.send(new FormData(form));
  });
})();
