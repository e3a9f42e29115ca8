// Questionnaire builder: show only the fields the chosen kind (or group) uses, and in each
// skip-logic row only the options of the chosen question. Without JavaScript every field is
// shown and the server ignores the unused ones.
(function () {
  "use strict";
  var SHOW = {
    options: ["kind", ["single", "multiple"]],
    min_value: ["kind", ["number"]],
    max_value: ["kind", ["number"]],
    primary: ["group", ["students"]]
  };
  document.querySelectorAll("form.builder").forEach(function (form) {
    function fields() {
      Object.keys(SHOW).forEach(function (name) {
        var box = form.querySelector('[data-field="' + name + '"]');
        var control = form.querySelector('[name="' + SHOW[name][0] + '"]');
        if (box && control) box.hidden = SHOW[name][1].indexOf(control.value) < 0;
      });
    }
    function row(el) {
      var q = el.querySelector('select[name$="_q"]');
      var op = el.querySelector('select[name$="_op"]');
      var choice = el.querySelector('select[name$="_choice"]');
      var value = el.querySelector('input[name$="_value"]');
      var code = q.value;
      var hasOptions = false;
      choice.querySelectorAll("optgroup").forEach(function (group) {
        var mine = code !== "" && group.label.split(" ")[0] === code;
        hasOptions = hasOptions || mine;
        group.hidden = !mine;
        group.querySelectorAll("option").forEach(function (o) {
          o.disabled = !mine;
          if (!mine) o.selected = false;
        });
      });
      var noValue = code === "" || op.value === "answered" || op.value === "not_answered";
      choice.closest("p").hidden = noValue || !hasOptions;
      value.closest("p").hidden = noValue || hasOptions;
      op.closest("p").hidden = code === "";
    }
    function update() {
      fields();
      form.querySelectorAll("[data-row]").forEach(row);
    }
    form.addEventListener("change", update);
    update();
  });
})();
