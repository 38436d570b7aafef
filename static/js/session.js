/* The end of a session (issue 15 §7), set up by <meta name="pbi-session">
   (accounts/templatetags/session.py):
   - before the idle logout the page warns and offers to stay (a POST to the renewal address);
   - when the session has ended the page says so, and so does the live score (htmx) instead of
     silently stopping;
   - the fields of a form marked data-keep are kept in this tab's sessionStorage, restored after
     the next login, and forgotten once the form is sent, on Keluar, or when the tab closes.
     sessionStorage, not localStorage: the NIK and other personal data never outlive the tab
     (the session cookie does not outlive the browser either) and are never sent anywhere.
   It also shows a page's "Cetak" button (button[data-print]), which needs a script. */
(function () {
  "use strict";

  // A "Cetak" button (the recovery codes): hidden until this script can open the print dialog.
  Array.prototype.forEach.call(document.querySelectorAll("button[data-print]"), function (print) {
    print.hidden = false;
    print.addEventListener("click", function () {
      window.print();
    });
  });

  var meta = document.querySelector('meta[name="pbi-session"]');
  if (!meta) {
    return;
  }
  var config = meta.dataset;
  var MARK = "pbi-session-user"; // sessionStorage: whose session this tab had, until Keluar
  var KEEP = "pbi-keep:"; // sessionStorage: kept forms, by user, page and form
  var DEADLINE = "pbi-session-deadline"; // localStorage: the idle deadline all tabs share

  function storage(kind) {
    try {
      return window[kind];
    } catch (error) {
      return null; // storage disabled: nothing is kept, the rest still works
    }
  }
  var tab = storage("sessionStorage");
  var shared = storage("localStorage");

  function pathOf(url) {
    var parsed = new URL(url, window.location.href);
    return parsed.pathname + parsed.search;
  }

  function isLoginPage(url) {
    return new URL(url, window.location.href).pathname.indexOf(config.loginUrl) === 0;
  }

  function alertBox(kind, text) {
    var box = document.createElement("div");
    box.className = "alert alert-" + kind + " d-flex flex-wrap align-items-center gap-2";
    var words = document.createElement("span");
    words.className = "me-auto";
    words.textContent = text;
    box.appendChild(words);
    return box;
  }

  function button(text, kind, action) {
    var element = document.createElement("button");
    element.type = "button";
    element.className = "btn btn-sm btn-" + kind;
    element.textContent = text;
    element.addEventListener("click", action);
    return element;
  }

  // The login page: say the session ended if this tab had one and did not leave by Keluar.
  if (!config.user) {
    var note = document.querySelector("[data-session-ended]");
    if (note && tab && tab.getItem(MARK) && !document.querySelector(".alert-danger")) {
      note.hidden = false;
    }
    return;
  }

  /* ---- The idle clock ---------------------------------------------------------------- */

  var age = Number(config.age) * 1000;
  var warnBefore = Number(config.warn) * 1000;
  var margin = Number(config.margin) * 1000;
  var deadline = 0;
  var hasEnded = false;
  var panel = null;

  function sharedDeadline() {
    try {
      var value = JSON.parse(shared.getItem(DEADLINE));
      return value && value.user === config.user ? value.at : 0;
    } catch (error) {
      return 0;
    }
  }

  // A request just reached the server: the idle clock starts again.
  function touch() {
    deadline = Math.max(sharedDeadline(), Date.now() + age - margin);
    if (shared) {
      shared.setItem(DEADLINE, JSON.stringify({ user: config.user, at: deadline }));
    }
  }

  function closePanel() {
    if (panel) {
      panel.remove();
      panel = null;
    }
  }

  function openPanel(kind, text) {
    closePanel();
    panel = alertBox(kind, text);
    panel.classList.add("fixed-bottom", "m-3", "shadow");
    panel.setAttribute("role", "alertdialog");
    panel.setAttribute("aria-live", "assertive");
    panel.setAttribute("aria-label", "Sesi");
    panel.dataset.session = kind === "danger" ? "ended" : "warning";
    document.body.appendChild(panel);
    return panel;
  }

  function remaining(milliseconds) {
    var seconds = Math.max(0, Math.ceil(milliseconds / 1000));
    var minutes = Math.floor(seconds / 60);
    return (minutes ? minutes + " menit " : "") + (seconds % 60) + " detik";
  }

  function csrfToken() {
    var cookie = document.cookie.split("; ").filter(function (pair) {
      return pair.indexOf(config.csrfCookie + "=") === 0;
    })[0];
    if (cookie) {
      return decodeURIComponent(cookie.slice(config.csrfCookie.length + 1));
    }
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function stay() {
    fetch(config.renewUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken() },
    })
      .then(function (response) {
        if (response.status === 204) {
          touch();
          closePanel();
        } else {
          end(); // sent to the login page: the session had already ended
        }
      })
      .catch(function () {
        var words = panel && panel.querySelector("span");
        if (words) {
          words.textContent = "Server tidak dapat dihubungi. Periksa sambungan lalu coba lagi.";
        }
      });
  }

  function warn(left) {
    if (!panel || panel.dataset.session !== "warning") {
      openPanel("warning", "");
      panel.appendChild(button("Tetap masuk", "success", stay));
    }
    panel.querySelector("span").textContent =
      "Sesi Anda akan berakhir dalam " +
      remaining(left) +
      " karena tidak ada kegiatan. Isian yang belum dikirim tetap tersimpan di tab ini.";
  }

  function end() {
    if (hasEnded) {
      return;
    }
    hasEnded = true;
    openPanel(
      "danger",
      "Sesi Anda telah berakhir. Isian yang belum dikirim tetap tersimpan di tab ini; " +
        "masuk lagi untuk melanjutkan."
    );
    var again = document.createElement("a");
    again.className = "btn btn-sm btn-light";
    again.textContent = "Masuk lagi";
    again.href =
      config.loginUrl +
      "?" +
      new URLSearchParams({ next: pathOf(window.location.href), sesi: "berakhir" }).toString();
    panel.appendChild(again);
  }

  function tick() {
    if (hasEnded) {
      return;
    }
    deadline = Math.max(deadline, sharedDeadline());
    var left = deadline - Date.now();
    if (left <= 0) {
      end();
    } else if (left <= warnBefore) {
      warn(left);
    } else if (panel) {
      closePanel(); // another tab of this user stayed
    }
  }

  // The live score and other htmx requests: one sent to the login page means the session is
  // gone; any other answer renewed the session.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.responseURL && isLoginPage(xhr.responseURL)) {
      event.detail.shouldSwap = false;
      end();
    }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    if (event.detail.successful && !(xhr && xhr.responseURL && isLoginPage(xhr.responseURL))) {
      touch();
    }
  });

  if (tab) {
    tab.setItem(MARK, config.user);
  }
  touch();
  window.setInterval(tick, 1000);

  /* ---- Forms kept in the tab ---------------------------------------------------------- */

  if (!tab) {
    return;
  }
  var here = pathOf(window.location.href);
  var cameFrom = document.referrer ? pathOf(document.referrer) : "";
  var isBetweenSteps = isLoginPage(window.location.href);

  function entries() {
    var found = [];
    for (var i = 0; i < tab.length; i += 1) {
      var key = tab.key(i);
      if (key.indexOf(KEEP) === 0) {
        found.push(key);
      }
    }
    return found;
  }

  function read(key) {
    try {
      return JSON.parse(tab.getItem(key));
    } catch (error) {
      return null;
    }
  }

  function forgetAll() {
    entries().forEach(function (key) {
      tab.removeItem(key);
    });
  }

  // Another user's forms never show in this tab; a form sent and answered by a redirect to
  // another page was accepted (a refused one is shown again at its own address).
  entries().forEach(function (key) {
    var entry = read(key);
    if (!entry || entry.user !== config.user) {
      tab.removeItem(key);
    } else if (entry.isSent && !isBetweenSteps && cameFrom === entry.page && here !== entry.page) {
      tab.removeItem(key);
    }
  });

  function isKept(element) {
    if (!element.name || element.disabled || element.name === "csrfmiddlewaretoken") {
      return false;
    }
    var type = (element.type || "").toLowerCase();
    return ["hidden", "password", "file", "submit", "button", "reset", "image"].indexOf(type) < 0;
  }

  function isChoice(element) {
    return element.type === "checkbox" || element.type === "radio";
  }

  // {name: [values]}: every value of every field the person can change.
  function fieldsOf(form) {
    var fields = {};
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!isKept(element)) {
        return;
      }
      var values = fields[element.name] || (fields[element.name] = []);
      if (isChoice(element)) {
        if (element.checked) {
          values.push(element.value);
        }
      } else if (element.multiple) {
        Array.prototype.forEach.call(element.selectedOptions, function (option) {
          values.push(option.value);
        });
      } else {
        values.push(element.value);
      }
    });
    return fields;
  }

  function fill(form, fields) {
    var position = {};
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!isKept(element) || !(element.name in fields)) {
        return;
      }
      var values = fields[element.name];
      if (isChoice(element)) {
        element.checked = values.indexOf(element.value) >= 0;
      } else if (element.multiple) {
        Array.prototype.forEach.call(element.options, function (option) {
          option.selected = values.indexOf(option.value) >= 0;
        });
      } else {
        var index = position[element.name] || 0;
        position[element.name] = index + 1;
        element.value = index < values.length ? values[index] : "";
      }
      // Scripts that show fields by ground, and the live score, hear of the change.
      element.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  function hasErrors(form) {
    return Boolean(form.querySelector(".is-invalid, .invalid-feedback, .errorlist, .alert-danger"));
  }

  // Run once the page has loaded, so that htmx and the page's own scripts (ground-fields.js)
  // have their listeners in place and hear of the restored fields.
  function keepForms() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-keep]"), keepForm);
  }

  function keepForm(form, n) {
    var key = KEEP + config.user + ":" + here + "#" + (form.id || n);
    var original = fieldsOf(form);
    var entry = read(key);

    function save(isSent) {
      tab.setItem(
        key,
        JSON.stringify({ user: config.user, page: here, isSent: isSent, fields: fieldsOf(form) })
      );
    }

    if (entry && entry.isSent && (hasErrors(form) || cameFrom === here)) {
      // Refused and shown again with its values, or accepted and shown anew: nothing to restore.
      if (hasErrors(form)) {
        save(false);
      } else {
        tab.removeItem(key);
      }
    } else if (entry && JSON.stringify(entry.fields) !== JSON.stringify(original)) {
      fill(form, entry.fields);
      save(false);
      var note = alertBox("info", "Isian yang belum terkirim dipulihkan.");
      note.setAttribute("role", "status");
      note.dataset.keepNote = "";
      note.appendChild(
        button("Buang isian ini", "outline-secondary", function () {
          tab.removeItem(key);
          fill(form, original);
          tab.removeItem(key); // the change events above saved the original again
          note.remove();
        })
      );
      form.parentNode.insertBefore(note, form);
    }

    form.addEventListener("input", function () {
      save(false);
    });
    form.addEventListener("change", function () {
      save(false);
    });
    form.addEventListener("submit", function () {
      save(true);
    });
  }

  if (document.readyState === "complete") {
    keepForms();
  } else {
    window.addEventListener("load", keepForms);
  }

  // Keluar: nothing of this user stays in the tab.
  document.addEventListener("submit", function (event) {
    var action = event.target.getAttribute("action");
    if (action && new URL(action, window.location.href).pathname === config.logoutUrl) {
      forgetAll();
      tab.removeItem(MARK);
      if (shared) {
        shared.removeItem(DEADLINE);
      }
    }
  });
})();
