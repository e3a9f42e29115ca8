/* One help request: live updates without reloading, and the canned-reply picker.

   Every 5 s (30 s while the tab is hidden) ask <data-updates-url>?after=<last message id>
   for the messages this viewer may see, append them to the conversation (an aria-live
   region) and update the status badge. Stops when the request is closed, the page is left,
   or the server says the request is gone (401/403/404). */
(function () {
  "use strict";
  var list = document.getElementById("conversation");
  var badge = document.getElementById("status-badge");
  var notice = document.getElementById("status-changed");

  // --- canned replies: insert the chosen text into the message ------------------------
  var cannedData = document.getElementById("canned-data");
  var picker = document.getElementById("id_canned");
  var body = document.getElementById("id_body");
  if (cannedData && picker && body) {
    var texts = {};
    try { texts = JSON.parse(cannedData.textContent) || {}; } catch (e) { texts = {}; }
    picker.addEventListener("change", function () {
      var text = texts[picker.value];
      if (!text) return;
      var start = body.selectionStart, end = body.selectionEnd, value = body.value;
      if (typeof start !== "number") { start = end = value.length; }
      var before = value.slice(0, start), after = value.slice(end);
      var glue = before && !/\n$/.test(before) ? "\n" : "";
      body.value = before + glue + text + after;
      var caret = (before + glue + text).length;
      picker.value = "";  // inserted: do not add it again on submit
      body.focus();
      try { body.setSelectionRange(caret, caret); } catch (e) { /* not supported */ }
    });
  }

  // --- live updates ------------------------------------------------------------------
  if (!list || !list.dataset.updatesUrl || !window.fetch) return;
  var url = list.dataset.updatesUrl;
  var last = list.dataset.last || "";
  var status = list.dataset.status || "";
  var initialStatus = status;
  var timer = null;
  var stopped = false;
  var busy = false;

  function delay() { return document.visibilityState === "hidden" ? 30000 : 5000; }

  function stop() { stopped = true; clearTimeout(timer); }

  function schedule() {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(poll, delay());
  }

  function append(item) {
    if (document.getElementById("m-" + item.id)) return;
    var holder = document.createElement("template");
    holder.innerHTML = (item.html || "").trim();
    var node = holder.content.firstElementChild;
    if (node) list.appendChild(node);
  }

  function apply(data) {
    (data.items || []).forEach(function (item) { append(item); last = item.id; });
    if (data.last) last = data.last;
    if (data.status && data.status !== status) {
      status = data.status;
      if (badge) {
        badge.textContent = data.status_label || status;
        badge.dataset.status = status;
        badge.className = "badge st-" + status;
      }
      list.dataset.status = status;
      if (notice) notice.hidden = status === initialStatus;
    }
    if (status === "closed") stop();
  }

  function poll() {
    if (stopped || busy) return;
    busy = true;
    fetch(url + (last ? "?after=" + encodeURIComponent(last) : ""), {
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "application/json" }
    })
      .then(function (r) {
        if (r.status === 401 || r.status === 403 || r.status === 404 || r.redirected) {
          stop();
          return null;
        }
        return r.ok ? r.json() : null;
      })
      .then(function (data) { if (data) apply(data); })
      .catch(function () { /* offline for a moment: try again later */ })
      .then(function () { busy = false; schedule(); });
  }

  document.addEventListener("visibilitychange", function () {
    if (stopped) return;
    if (document.visibilityState === "visible") { clearTimeout(timer); poll(); } else { schedule(); }
  });
  window.addEventListener("pagehide", stop);
  window.addEventListener("pageshow", function (event) {
    if (event.persisted && status !== "closed") { stopped = false; poll(); }
  });
  if (status !== "closed") schedule();
})();
