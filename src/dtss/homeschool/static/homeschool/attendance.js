// The attendance sheet: "whole day…" sets every open period of the student's row at once.
(function () {
  "use strict";
  var sheet = document.getElementById("sheet");
  if (!sheet) return;
  sheet.addEventListener("change", function (e) {
    var t = e.target;
    if (!t || !t.classList || !t.classList.contains("at-fill") || t.value === "-") return;
    var row = t.closest("tr");
    row.querySelectorAll("select[name^='mark-']").forEach(function (s) { s.value = t.value; });
    t.value = "-";
  });
})();
