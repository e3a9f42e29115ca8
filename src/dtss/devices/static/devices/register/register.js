// The register list: "select all" for the label checkboxes; no other script.
(function () {
  var all = document.getElementById("select-all");
  if (!all) return;
  all.addEventListener("change", function () {
    document.querySelectorAll("input[name=device]").forEach(function (box) { box.checked = all.checked; });
  });
})();
