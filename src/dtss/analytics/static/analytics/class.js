// Class view filters: show the two date fields only for a custom period.
(function () {
  "use strict";
  var form = document.getElementById("class-filters");
  if (!form) { return; }
  var period = form.querySelector("select[name=period]");
  var dates = form.querySelectorAll(".custom-dates");
  function sync() {
    var custom = period.value === "custom";
    for (var i = 0; i < dates.length; i++) { dates[i].hidden = !custom; }
  }
  period.addEventListener("change", sync);
  sync();
})();
