/* DTSS device imports: follow a running import. Polls its status.json every second while it is
   queued or running, moves the progress bar ("checked N of M rows", then "saved N of M rows")
   and reloads the page when it has finished, so the report shows. No inline script, no CDN. */
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box || !window.fetch || !box.getAttribute("data-active")) { return; }
  var url = box.getAttribute("data-status-url");
  var bar = box.querySelector(".progress > span");
  var meter = box.querySelector(".progress");
  var label = box.querySelector("[data-progress-label]");

  function tick() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) {
        if (bar) { bar.style.width = data.progress_percent + "%"; }
        if (meter) { meter.setAttribute("aria-valuenow", String(data.progress_percent)); }
        if (label) { label.textContent = data.progress_text; }
        if (!data.active) { window.location.reload(); return; }
        window.setTimeout(tick, 1000);
      })
      .catch(function () { window.setTimeout(tick, 5000); });
  }
  window.setTimeout(tick, 1000);
})();
