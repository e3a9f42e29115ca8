/* Answering a survey: skip logic live, and a draft kept on this device.
 *
 * No framework, no CDN. Without this file the page still works: every question is shown and
 * the server drops the answers of the questions its skip logic hides. With it:
 *   - questions (and sections) whose conditions do not hold are hidden as the answers change,
 *     by the rules of surveys/logic.py, mirrored below from the data in #survey-logic (the
 *     server checks again and decides);
 *   - everything typed is kept in localStorage under the form's data-draft-key at every change
 *     and put back on the next visit (a reload, a lost connection, a language switch) with a
 *     notice and a "start over" button; files are never kept;
 *   - the draft is forgotten once the answers are accepted (the page after sending carries
 *     data-survey-done) or the code turns out to be used up (data-forget-draft);
 *   - after a refused send, the error summary gets the focus.
 */
(function () {
  "use strict";

  var SENT = "dtss:survey:sent"; // sessionStorage: the draft key of the form being sent

  // --- storage, tolerant of private mode and full storage -----------------------------------
  function area(name) {
    try {
      return window[name] || null;
    } catch (e) {
      return null;
    }
  }
  function get(name, key) {
    var s = area(name);
    try {
      return s ? s.getItem(key) : null;
    } catch (e) {
      return null;
    }
  }
  function put(name, key, value) {
    var s = area(name);
    try {
      if (s) s.setItem(key, value);
    } catch (e) {
      /* the answers are still on the page */
    }
  }
  function drop(name, key) {
    var s = area(name);
    try {
      if (s) s.removeItem(key);
    } catch (e) {
      /* ignore */
    }
  }

  // --- after sending ---------------------------------------------------------------------------
  if (document.querySelector("[data-survey-done]")) {
    var sent = get("sessionStorage", SENT);
    if (sent) {
      drop("localStorage", sent);
      drop("sessionStorage", SENT);
    }
    return;
  }
  var gone = document.querySelector("[data-forget-draft]");
  if (gone) {
    drop("localStorage", gone.getAttribute("data-forget-draft"));
    drop("sessionStorage", SENT);
    return;
  }

  var form = document.getElementById("survey-form");
  var specEl = document.getElementById("survey-logic");
  if (!form || !specEl) return;
  var spec = JSON.parse(specEl.textContent);
  var key = form.getAttribute("data-draft-key");
  drop("sessionStorage", SENT); // back on the form: what was sent was not accepted

  // --- logic.py, mirrored -----------------------------------------------------------------------
  var NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

  function isEmpty(v) {
    return v === null || v === undefined || v === "" || (Array.isArray(v) && v.length === 0);
  }

  /* Python's float() of a cleaned value or a string; NaN where Python raises. */
  function toFloat(v) {
    if (typeof v === "number") return v;
    if (typeof v !== "string") return NaN;
    var s = v.trim();
    if (NUMBER.test(s)) return parseFloat(s);
    var l = s.toLowerCase().replace(/^\+/, "");
    if (l === "inf" || l === "infinity") return Infinity;
    if (l === "-inf" || l === "-infinity") return -Infinity;
    return NaN;
  }

  /* Python's str() of a cleaned value (ints print as ints, floats as Python's repr). */
  function pyStr(v) {
    if (typeof v !== "number") return String(v);
    if (v !== 0 && Math.abs(v) < 1e-4) {
      return v.toExponential().replace(/e([+-])(\d)$/, "e$10$2");
    }
    return String(v);
  }

  function leapYear(y) {
    return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  }
  function isoDate(s) {
    var m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(s);
    if (!m || (s.length !== 8 && s.length !== 10)) return null;
    var y = +m[1],
      mo = +m[2],
      d = +m[3];
    var days = [31, leapYear(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days[mo - 1]) return null;
    return m[1] + "-" + m[2] + "-" + m[3];
  }

  /* logic.clean_value: the stored value, or null for an empty or invalid answer (the server
     reports those as errors; for skip logic they count as not answered). */
  function clean(q, raw) {
    if (isEmpty(raw)) return null;
    switch (q.kind) {
      case "scale5": {
        if (!/^\s*[+-]?\d+\s*$/.test(raw)) return null;
        var n = parseInt(raw, 10);
        return n >= 0 && n <= 5 ? n : null;
      }
      case "single":
        return q.options.indexOf(String(raw)) >= 0 ? String(raw) : null;
      case "multiple": {
        var chosen = (Array.isArray(raw) ? raw : [raw]).map(String);
        for (var i = 0; i < chosen.length; i++) {
          if (q.options.indexOf(chosen[i]) < 0) return null;
        }
        return q.options.filter(function (v) {
          return chosen.indexOf(v) >= 0;
        });
      }
      case "number": {
        var s = String(raw).trim().replace(/,/g, "");
        if (!NUMBER.test(s)) return null;
        var x = parseFloat(s);
        if (!isFinite(x)) return null;
        if (q.min !== null && x < q.min) return null;
        if (q.max !== null && x > q.max) return null;
        return x;
      }
      case "short_text":
      case "long_text": {
        var t = String(raw).trim();
        if (Array.from(t).length > q.maxlen) return null;
        return t || null;
      }
      case "date":
        return isoDate(String(raw).trim());
      case "file":
        return String(raw);
    }
    return null;
  }

  /* logic._holds; the condition's value comes converted by the server (target, targets,
     bound) exactly as Python converts it. */
  function holds(c, answers) {
    var op = c.op;
    var value = Object.prototype.hasOwnProperty.call(answers, c.q) ? answers[c.q] : null;
    if (op === "answered") return !isEmpty(value);
    if (op === "not_answered") return isEmpty(value);
    if (isEmpty(value)) return op === "ne" || op === "not_in";
    var chosen = (Array.isArray(value) ? value : [value]).map(pyStr);
    if (op === "eq") return chosen.indexOf(c.target) >= 0;
    if (op === "ne") return chosen.indexOf(c.target) < 0;
    if (op === "in" || op === "not_in") {
      var any = c.targets.some(function (t) {
        return chosen.indexOf(t) >= 0;
      });
      return op === "in" ? any : !any;
    }
    if (op === "gte" || op === "lte") {
      if (c.bound === null || Array.isArray(value)) return false;
      var number = toFloat(value);
      if (isNaN(number)) return false;
      // N/A (0) on the agreement scale is not a low score (as in logic.py)
      if (c.scale && number === 0) return false;
      return op === "gte" ? number >= c.bound : number <= c.bound;
    }
    return false;
  }

  function allHold(conditions, answers) {
    return (conditions || []).every(function (c) {
      return holds(c, answers);
    });
  }

  // --- reading and writing the form ------------------------------------------------------------
  function inputs(code) {
    return Array.prototype.slice.call(form.querySelectorAll('[name="' + code + '"]'));
  }

  function rawValue(q) {
    var els = inputs(q.code);
    if (q.kind === "scale5" || q.kind === "single") {
      var on = els.filter(function (el) {
        return el.checked;
      });
      return on.length ? on[0].value : "";
    }
    if (q.kind === "multiple") {
      return els
        .filter(function (el) {
          return el.checked;
        })
        .map(function (el) {
          return el.value;
        });
    }
    if (q.kind === "file") {
      if (els.length && els[0].value) return els[0].value;
      var remove = form.querySelector('[name="' + q.code + '-remove"]');
      return remove && !remove.checked ? "kept" : "";
    }
    return els.length ? els[0].value : "";
  }

  function update() {
    var effective = {};
    var sections = {};
    spec.forEach(function (q) {
      var shown = allHold(q.section_show_if, effective) && allHold(q.show_if, effective);
      if (shown) {
        var v = clean(q, rawValue(q));
        if (v !== null) effective[q.code] = v;
        sections[q.section] = true;
      }
      var el = form.querySelector('[data-q="' + q.code + '"]');
      if (el) el.hidden = !shown;
    });
    form.querySelectorAll("[data-section]").forEach(function (s) {
      s.hidden = !sections[s.getAttribute("data-section")];
    });
  }

  function snapshot() {
    var values = {};
    spec.forEach(function (q) {
      if (q.kind !== "file") values[q.code] = rawValue(q);
    });
    return values;
  }

  function save() {
    put("localStorage", key, JSON.stringify({ values: snapshot(), at: Date.now() }));
  }

  function restore(values) {
    var any = false;
    spec.forEach(function (q) {
      if (q.kind === "file" || !Object.prototype.hasOwnProperty.call(values, q.code)) return;
      var v = values[q.code];
      if (!isEmpty(v)) any = true;
      var els = inputs(q.code);
      if (q.kind === "scale5" || q.kind === "single" || q.kind === "multiple") {
        var list = (Array.isArray(v) ? v : [v]).map(String);
        els.forEach(function (el) {
          el.checked = list.indexOf(el.value) >= 0;
        });
      } else if (els.length) {
        els[0].value = v == null ? "" : String(v);
      }
    });
    return any;
  }

  // --- start --------------------------------------------------------------------------------
  var notice = document.getElementById("draft-restored");
  var draft = null;
  try {
    draft = JSON.parse(get("localStorage", key) || "null");
  } catch (e) {
    draft = null;
  }
  if (form.getAttribute("data-restore") === "1") {
    var serverAt = Number(form.getAttribute("data-server-at") || 0);
    if (draft && draft.values && (draft.at || 0) > serverAt && restore(draft.values) && notice) {
      notice.hidden = false;
    }
  } else {
    save(); // the page shows the answers just sent back with errors: keep them
  }
  update();
  form.setAttribute("data-ready", "1");

  form.addEventListener("input", function () {
    update();
    save();
  });
  form.addEventListener("change", function () {
    update();
    save();
  });
  form.addEventListener("submit", function () {
    save();
    put("sessionStorage", SENT, key);
  });
  if (notice) {
    var discard = notice.querySelector("[data-draft-discard]");
    if (discard) {
      discard.addEventListener("click", function () {
        drop("localStorage", key);
        form.reset();
        notice.hidden = true;
        update();
      });
    }
  }
  var errors = document.getElementById("answer-errors");
  if (errors) errors.focus();
})();
