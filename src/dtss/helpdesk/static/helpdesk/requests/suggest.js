/* Ask for help: while the user types the subject and description, show up to five
   knowledge-base articles that may answer the question (GET <data-url>?q=…, JSON
   {"items": [{"title", "url", "snippet"}]}). The form submits normally without this. */
(function () {
  "use strict";
  var box = document.getElementById("kb-suggest");
  var subject = document.getElementById("id_subject");
  var description = document.getElementById("id_description");
  if (!box || !box.dataset.url || !subject || !window.fetch) return;
  // On a phone the form fills the screen: show the suggestions right under the subject, where
  // the person is typing, rather than after the send button.
  if (window.matchMedia && window.matchMedia("(max-width: 899px)").matches) {
    var field = subject.closest("p, div.field, .form-row") || subject.parentNode;
    if (field && field.parentNode) field.parentNode.insertBefore(box, field.nextSibling);
  }
  var timer = null;
  var lastQuery = "";
  var seq = 0;

  function sameSite(url) {
    return typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/" &&
      url.indexOf("\\") === -1;
  }

  function render(items) {
    box.textContent = "";
    var shown = (items || []).filter(function (it) { return it && sameSite(it.url); }).slice(0, 5);
    if (!shown.length) return;
    var h = document.createElement("h2");
    h.textContent = box.dataset.heading;
    box.appendChild(h);
    var ul = document.createElement("ul");
    shown.forEach(function (it) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = it.url;
      a.target = "_blank";
      a.rel = "noopener";
      a.textContent = it.title || it.url;
      li.appendChild(a);
      if (it.snippet) {
        var p = document.createElement("p");
        p.className = "muted";
        p.textContent = it.snippet;
        li.appendChild(p);
      }
      ul.appendChild(li);
    });
    box.appendChild(ul);
  }

  function run() {
    var text = (subject.value || "") + " " + (description ? description.value || "" : "");
    var q = text.replace(/\s+/g, " ").trim().slice(0, 200);
    if (q.length < 2) { lastQuery = ""; seq += 1; render([]); return; }
    if (q === lastQuery) return;
    lastQuery = q;
    var mine = ++seq;
    var sep = box.dataset.url.indexOf("?") === -1 ? "?" : "&";
    fetch(box.dataset.url + sep + "q=" + encodeURIComponent(q), {
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    })
      .then(function (r) { return r.ok ? r.json() : { items: [] }; })
      .then(function (data) { if (mine === seq) render(data && data.items); })
      .catch(function () { /* suggestions are a help, never a blocker */ });
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(run, 400);
  }

  subject.addEventListener("input", later);
  if (description) description.addEventListener("input", later);
  if (subject.value || (description && description.value)) later();
})();
