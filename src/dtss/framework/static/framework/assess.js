/* DTSS self-assessment item page: autosave of status, owner and notes.
 *
 * No framework, no CDN. Without this file the page still works: each strategy's form has a
 * Save button and the server redirects back. With it:
 *   - a change of a status/owner <select> is sent at once;
 *   - notes are sent 800 ms after the last keystroke and when the field loses focus;
 *   - the state ("Saving…", "Saved 14:02", an error) is shown next to the field;
 *   - typed notes are kept in localStorage until the server confirms them, and put back into
 *     the textarea on the next visit (with a notice), so a crash or a lost connection loses
 *     nothing;
 *   - the item's stage, the share met, the next steps and the "met" badges follow each save.
 * Strings come translated from data-msg-* attributes of #assess-item.
 */
(function () {
  "use strict";

  const root = document.getElementById("assess-item");
  if (!root || !window.fetch || !window.FormData) return;
  document.documentElement.classList.add("js");

  const msg = root.dataset;
  const PREFIX = "dtss:assess:notes:";
  const DEBOUNCE_MS = 800;

  // --- localStorage, tolerant of private mode and full storage ------------------------------
  function load(key) {
    try {
      const raw = window.localStorage.getItem(key);
      return raw ? JSON.parse(raw) : null;
    } catch (e) {
      return null;
    }
  }
  function store(key, value) {
    try {
      window.localStorage.setItem(key, JSON.stringify(value));
    } catch (e) {
      /* nothing to do: the server save still runs */
    }
  }
  function forget(key) {
    try {
      window.localStorage.removeItem(key);
    } catch (e) {
      /* ignore */
    }
  }

  // --- talking to the server ------------------------------------------------------------------
  function show(form, name, text, kind) {
    const el = form.querySelector('[data-save-state="' + name + '"]');
    if (!el) return;
    el.textContent = text;
    el.className = "save-state" + (kind ? " " + kind : "");
  }

  function errorText(errors, names) {
    if (!errors) return "";
    for (const name of names) {
      if (errors[name]) return errors[name].join(" ");
    }
    const keys = Object.keys(errors);
    return keys.length ? errors[keys[0]].join(" ") : "";
  }

  function post(form, fields) {
    const body = new FormData();
    body.append("csrfmiddlewaretoken", form.querySelector("input[name=csrfmiddlewaretoken]").value);
    for (const [name, value] of Object.entries(fields)) body.append(name, value);
    return fetch(form.dataset.autosaveUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      keepalive: true,
      headers: { "X-Requested-With": "fetch", Accept: "application/json" },
    }).then(function (r) {
      return r.json().then(
        function (data) {
          return { http: r.status, data: data };
        },
        function () {
          return { http: r.status, data: null };
        }
      );
    });
  }

  /* Send fields; resolve to true when the server saved them. */
  function save(form, fields, offlineText) {
    const names = Object.keys(fields);
    names.forEach(function (n) {
      show(form, n, msg.msgSaving, "");
    });
    return post(form, fields).then(
      function (res) {
        if (res.data && res.data.ok) {
          names.forEach(function (n) {
            show(form, n, msg.msgSaved + " " + res.data.saved_at, "ok");
          });
          update(res.data);
          return true;
        }
        const text = (res.data && errorText(res.data.errors, names)) || msg.msgError;
        names.forEach(function (n) {
          show(form, n, text, "bad");
        });
        return false;
      },
      function () {
        names.forEach(function (n) {
          show(form, n, offlineText || msg.msgError, "bad");
        });
        return false;
      }
    );
  }

  // --- the item's live state ------------------------------------------------------------------
  function update(d) {
    const stage = root.querySelector("[data-item-stage]");
    if (stage) {
      stage.textContent = d.stage_label;
      stage.classList.toggle("ok", Boolean(d.stage));
      stage.dataset.itemStage = d.stage || "";
    }
    const share = root.querySelector("[data-next-share]");
    if (share) share.textContent = d.next_share_text;
    const next = root.querySelector("[data-next-stage]");
    if (next) next.textContent = d.next_stage_label;
    const wrap = root.querySelector("[data-next-stage-wrap]");
    if (wrap) wrap.hidden = !d.next_stage;
    const none = root.querySelector("[data-next-none]");
    if (none) none.hidden = Boolean(d.next_stage);
    root.querySelectorAll(".next-steps li[data-code]").forEach(function (li) {
      li.hidden = d.next_steps.indexOf(li.dataset.code) < 0;
    });
    for (const [s, pct] of Object.entries(d.bar || {})) {
      const seg = root.querySelector('[data-bar-seg="' + s + '"] > span');
      if (seg) seg.style.width = pct + "%";
    }
    const bar = root.querySelector(".stagebar");
    if (bar) bar.setAttribute("aria-label", d.stage_label + ": " + d.next_share_text);
    document.querySelectorAll("article.strategy[data-code]").forEach(function (a) {
      const badge = a.querySelector("[data-met-badge]");
      if (badge) badge.hidden = d.met.indexOf(a.dataset.code) < 0;
    });
  }

  // --- selects: sent on change ----------------------------------------------------------------
  function setupSelect(form, select) {
    let last = select.value;
    select.addEventListener("change", function () {
      const value = select.value;
      save(form, { [select.name]: value }).then(function (ok) {
        if (ok) {
          last = value;
        } else if (select.value === value) {
          select.value = last; // show what the server really has; the error says why
        }
      });
    });
  }

  // --- notes: debounced, kept on the device until confirmed ---------------------------------
  function notice(area, text, buttons) {
    const old = area.parentNode.querySelector(".restore-note");
    if (old) old.remove();
    const box = document.createElement("div");
    box.className = "restore-note";
    box.setAttribute("role", "status");
    box.textContent = text;
    if (buttons) {
      const line = document.createElement("div");
      for (const [label, action] of buttons) {
        const b = document.createElement("button");
        b.type = "button";
        b.className = "secondary";
        b.textContent = label;
        b.addEventListener("click", function () {
          box.remove();
          action();
        });
        line.appendChild(b);
      }
      box.appendChild(line);
    }
    area.parentNode.insertBefore(box, area);
    return box;
  }

  function setupNotes(form, area) {
    const key = PREFIX + form.dataset.response;
    let saved = area.value; // what the server has
    let timer = null;
    let inflight = false;
    let again = false;

    function remember() {
      store(key, { value: area.value, base: saved, at: Date.now() });
    }

    function flush() {
      clearTimeout(timer);
      timer = null;
      if (area.value === saved) {
        forget(key);
        return;
      }
      if (inflight) {
        again = true;
        return;
      }
      inflight = true;
      const value = area.value;
      save(form, { notes: value }, msg.msgOffline).then(function (ok) {
        inflight = false;
        if (ok) {
          saved = value;
          if (area.value === saved) forget(key);
          else remember();
        }
        const more = again || (ok && area.value !== saved);
        again = false;
        if (more) flush();
      });
    }

    area.addEventListener("input", function () {
      remember();
      clearTimeout(timer);
      timer = setTimeout(flush, DEBOUNCE_MS);
    });
    area.addEventListener("blur", function () {
      if (timer || area.value !== saved) flush();
    });
    window.addEventListener("online", function () {
      if (area.value !== saved) flush();
    });

    const kept = load(key);
    if (kept && typeof kept.value === "string" && kept.value !== area.value) {
      const server = area.value;
      area.value = kept.value;
      if (kept.base === server) {
        notice(area, msg.msgRestored);
        flush();
      } else {
        notice(area, msg.msgConflict, [
          [msg.msgKeep, flush],
          [
            msg.msgDiscard,
            function () {
              area.value = server;
              forget(key);
            },
          ],
        ]);
      }
    } else if (kept) {
      forget(key);
    }
  }

  document.querySelectorAll("form[data-autosave-url]").forEach(function (form) {
    form.querySelectorAll("select").forEach(function (select) {
      setupSelect(form, select);
    });
    form.querySelectorAll("textarea[name=notes]").forEach(function (area) {
      setupNotes(form, area);
    });
  });
})();
