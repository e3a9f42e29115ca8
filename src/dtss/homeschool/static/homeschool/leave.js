// The leave form: the period checkboxes only matter when "only the periods chosen" is picked.
(function () {
  "use strict";
  var form = document.getElementById("leave-form");
  if (!form) return;
  var box = document.getElementById("fs-periods");
  if (!box) return;
  function update() {
    var whole = form.querySelector('input[name="whole_day"]:checked');
    box.hidden = !!(whole && whole.value === "1");
  }
  form.addEventListener("change", function (e) {
    if (e.target && e.target.name === "whole_day") update();
    if (e.target && e.target.name === "periods" && e.target.checked) {
      var only = form.querySelector('input[name="whole_day"][value="0"]');
      if (only) only.checked = true;
    }
  });
  update();
})();
