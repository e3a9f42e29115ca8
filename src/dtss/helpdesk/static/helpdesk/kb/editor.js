// Knowledge-base editor: "Insert into the text" puts a media reference at the cursor of the
// Chinese (or the last focused) text box; removing a file asks first.
(function () {
  "use strict";
  var form = document.getElementById("article-form");
  if (!form) return;
  var target = form.querySelector("textarea[name=body_zh]");
  form.querySelectorAll("textarea").forEach(function (area) {
    area.addEventListener("focus", function () { target = area; });
  });
  document.querySelectorAll(".kb-insert").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      if (!target) return;
      var ref = button.getAttribute("data-ref");
      var start = target.selectionStart || 0;
      var end = target.selectionEnd || start;
      var before = target.value.slice(0, start);
      var after = target.value.slice(end);
      var text = (before && !/\n$/.test(before) ? "\n" : "") + ref + "\n";
      target.value = before + text + after;
      target.focus();
      var pos = before.length + text.length;
      target.setSelectionRange(pos, pos);
      target.scrollIntoView({ block: "center" });
    });
  });
  document.querySelectorAll(".kb-delete[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.getAttribute("data-confirm"))) event.preventDefault();
    });
  });
})();
