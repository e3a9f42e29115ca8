/* DTSS imports: follow a running import job. Polls its status.json every second while it is
   queued, being checked or being saved; moves the progress bar ("checked N of M rows", then
   "saved N of M rows") and reloads the page when the job has finished, so the summary or the
   list of problems shows. No inline script, no CDN. */
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-status-url");
  var bar = box.querySelector(".progress > span");
  var meter = box.querySelector(".progress");
  var label = box.querySelector("[data-progress-label]");
  var active = { queued: true, validating: true, saving: true };
  if (!active[box.getAttribute("data-status")]) { return; }

  function tick() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) {
        if (bar) { bar.style.width = data.percent + "%"; }
        if (meter) { meter.setAttribute("aria-valuenow", String(data.percent)); }
        if (label && data.status !== "queued") { label.textContent = data.progress_text; }
        if (!active[data.status]) { window.location.reload(); return; }
        window.setTimeout(tick, 1000);
      })
      .catch(function () { window.setTimeout(tick, 5000); });
  }
  window.setTimeout(tick, 1000);
})();
