// Opening a cycle: show only the fields the chosen options use, and select all/none schools.
// Without JavaScript every field is shown and the server ignores the unused ones.
(function () {
  "use strict";
  var form = document.getElementById("cycle-form");
  if (!form) return;
  function update() {
    form.querySelectorAll("[data-show-when]").forEach(function (el) {
      var parts = el.getAttribute("data-show-when").split("=");
      var checked = form.querySelector('input[name="' + parts[0] + '"]:checked');
      el.hidden = !(checked && checked.value === parts[1]);
    });
  }
  form.addEventListener("change", update);
  update();
  form.querySelectorAll(".js-only").forEach(function (el) { el.classList.remove("js-hidden"); });
  form.querySelectorAll("[data-check]").forEach(function (button) {
    button.addEventListener("click", function () {
      var on = button.getAttribute("data-check") === "all";
      form.querySelectorAll('#f-schools-list input[name="schools"]').forEach(function (box) {
        box.checked = on;
      });
    });
  });
})();
