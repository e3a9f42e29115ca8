// The QR stocktake page: read labels with the live camera (getUserMedia + canvas + jsQR), from
// a photo (the file input, decoded here with jsQR), or typed; POST each code and show the
// result and the counts at once. Without JavaScript the typed form still posts.
(function () {
  "use strict";
  var root = document.getElementById("scanner");
  if (!root) return;
  var url = root.dataset.scanUrl;
  var form = document.getElementById("manual");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var result = document.getElementById("scan-result");
  var video = document.getElementById("camera");
  var canvas = document.getElementById("frame");
  var ctx = canvas.getContext("2d", { willReadFrequently: true });
  var toggle = document.getElementById("camera-toggle");
  var photo = document.getElementById("photo");
  var stream = null;
  var lastCode = "";
  var lastAt = 0;
  var busy = false;

  function show(result_, text) {
    result.hidden = false;
    result.dataset.result = result_;
    result.textContent = text;
  }

  function fill(id, items, render) {
    var list = document.getElementById(id);
    list.textContent = "";
    if (!items.length) {
      var li = document.createElement("li");
      li.className = "muted";
      li.textContent = list.dataset.empty;
      list.appendChild(li);
      return;
    }
    items.forEach(function (item) {
      var li = document.createElement("li");
      render(li, item);
      list.appendChild(li);
    });
  }

  function device(li, d, extra) {
    li.dataset.tag = d.asset_tag;
    li.textContent = d.asset_tag + (d.model ? " " + d.model : "");
    if (extra) {
      var span = document.createElement("span");
      span.className = "muted small";
      span.textContent = " " + extra;
      li.appendChild(span);
    }
  }

  function update(state) {
    Object.keys(state.counts).forEach(function (key) {
      var el = document.querySelector('[data-count="' + key + '"]');
      if (el) el.textContent = state.counts[key];
    });
    fill("missing-list", state.missing, function (li, d) { device(li, d, d.location); });
    fill("found-list", state.found, function (li, s) { device(li, s.device); });
    fill("unexpected-list", state.unexpected, function (li, s) { device(li, s.device, s.text); });
    fill("unknown-list", state.unknown, function (li, s) {
      li.dataset.code = s.code;
      li.textContent = s.code;
    });
  }

  function send(code) {
    code = (code || "").trim();
    if (!code) return Promise.resolve();
    var now = Date.now();
    if (code === lastCode && now - lastAt < 3000) return Promise.resolve(); // same label still in view
    lastCode = code;
    lastAt = now;
    busy = true;
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ code: code }),
    })
      .then(function (r) {
        return r.json().then(function (body) { return { ok: r.ok, body: body }; });
      })
      .then(function (r) {
        if (!r.ok) {
          var errors = r.body.errors || {};
          var first = Object.keys(errors)[0];
          show("error", first ? errors[first][0] : root.dataset.msgError);
          return;
        }
        var label = r.body.scan.device ? r.body.scan.device.asset_tag : r.body.scan.code;
        show(r.body.scan.result, label + ": " + r.body.scan.text);
        if (navigator.vibrate && r.body.scan.result !== "found") navigator.vibrate(200);
        update(r.body.state);
      })
      .catch(function () { show("error", root.dataset.msgError); })
      .then(function () { busy = false; });
  }

  function decode(source, width, height) {
    canvas.width = width;
    canvas.height = height;
    ctx.drawImage(source, 0, 0, width, height);
    var image = ctx.getImageData(0, 0, width, height);
    var found = window.jsQR(image.data, width, height, { inversionAttempts: "attemptBoth" });
    return found ? found.data : "";
  }

  // --- live camera
  function tick() {
    if (!stream) return;
    if (!busy && video.readyState >= 2 && video.videoWidth) {
      var scale = Math.min(1, 800 / video.videoWidth);
      var code = decode(video, Math.round(video.videoWidth * scale), Math.round(video.videoHeight * scale));
      if (code) send(code);
    }
    window.requestAnimationFrame(tick);
  }

  function stop() {
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    stream = null;
    video.hidden = true;
    toggle.textContent = root.dataset.msgStart;
  }

  toggle.addEventListener("click", function () {
    if (stream) return stop();
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      show("error", root.dataset.msgNocamera);
      return;
    }
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (s) {
        stream = s;
        video.srcObject = s;
        video.hidden = false;
        toggle.textContent = root.dataset.msgStop;
        return video.play();
      })
      .then(function () { window.requestAnimationFrame(tick); })
      .catch(function () { stop(); show("error", root.dataset.msgNocamera); });
  });

  // --- a photo of a label
  photo.addEventListener("change", function () {
    var file = photo.files && photo.files[0];
    if (!file) return;
    var img = new Image();
    var src = URL.createObjectURL(file);
    img.onload = function () {
      var scale = Math.min(1, 1600 / Math.max(img.naturalWidth, img.naturalHeight));
      var code = decode(img, Math.round(img.naturalWidth * scale), Math.round(img.naturalHeight * scale));
      URL.revokeObjectURL(src);
      photo.value = "";
      if (code) {
        lastCode = ""; // a new photo of the same label is a deliberate repeat
        send(code);
      } else {
        show("error", root.dataset.msgNocode);
      }
    };
    img.onerror = function () { URL.revokeObjectURL(src); show("error", root.dataset.msgNocode); };
    img.src = src;
  });

  // --- typed
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var input = form.querySelector("input[name=code]");
    lastCode = "";
    send(input.value).then(function () {
      input.value = "";
      input.focus();
    });
  });
})();
