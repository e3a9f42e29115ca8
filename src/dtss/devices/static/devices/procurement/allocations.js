// Shows the running sum of a plan line's school allocations against its quantity.
(function () {
  "use strict";
  var script = document.currentScript;
  var label = script ? script.getAttribute("data-label") : "{sum} / {quantity}";
  function update() {
    var out = document.getElementById("alloc-sum");
    var qty = document.getElementById("id_quantity");
    if (!out || !qty) { return; }
    var sum = 0;
    document.querySelectorAll("input.alloc").forEach(function (el) {
      var n = parseInt(el.value, 10);
      if (!isNaN(n)) { sum += n; }
    });
    var q = parseInt(qty.value, 10) || 0;
    out.textContent = label.replace("{sum}", sum).replace("{quantity}", q);
    out.className = sum === q ? "badge ok" : "badge bad";
  }
  document.addEventListener("input", function (e) {
    if (e.target.matches("input.alloc, #id_quantity")) { update(); }
  });
  update();
})();
