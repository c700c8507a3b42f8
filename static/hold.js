/* A form that sends over the live socket is held, never posted, until the socket is open.
 *
 * Every command form on the phone and the console is a `ws-send` form: htmx's
 * WebSocket extension sends its fields over the live socket. Until htmx has
 * wired a form (the first moments after the page loads; on a slow phone link
 * its scripts are still on their way), pressing its button is a plain form
 * submit: the browser posts to the page's own address, the page reloads and
 * what the person typed is gone. While the socket is reconnecting, a wired
 * form's message would wait unseen in htmx's queue, lost on a reload.
 *
 * So this script (loaded without `defer`, before any form exists) catches
 * every submit of a `ws-send` form while the page is not live
 * (body[data-live] is set to "open" by app.js when the socket opens): the
 * submit is stopped before it reaches htmx or the browser, the form keeps
 * what was typed, and a note in the form says "Connecting … sent as soon as
 * the connection is up" (the text comes from #conn's data-held, translated).
 * When the page is live again (app.js: the socket opened and said hello, or
 * the server, unable to save for a moment, acknowledged again), release(): each held
 * form is submitted again, now through htmx, with a client id like any
 * command, so a resend after a later reconnect still counts once.
 *
 * A form whose fields a script fills just before each send (the idea board's
 * hidden #ideas-send, marked data-hold-snapshot) is held as a copy of what it
 * carried, one copy per send, and rebuilt from it on release; any other form
 * is sent as it stands then (the latest of what the person typed).
 * Why not a plain POST that the server also accepts: docs/architecture.md,
 * "Forms before the socket is open".
 */
(function () {
  "use strict";
  var held = [];  // {form, submitter, entries}: in the order they were sent

  function live() {
    return !!document.body && document.body.getAttribute("data-live") === "open";
  }

  function noteText() {
    var conn = document.getElementById("conn");
    return (conn && conn.getAttribute("data-held")) || "…";
  }

  function keyOf(form) {
    return window.dialograumFormKeep ? window.dialograumFormKeep.keyOf(form) : "";
  }

  function mark(form) {
    form.classList.add("held");
    form.setAttribute("aria-busy", "true");
    if (form.hidden) {  // a script's form (the idea board's moves): the page-wide banner says it
      var conn = document.getElementById("conn");
      if (conn) {
        if (!conn.hasAttribute("data-lost")) conn.setAttribute("data-lost", conn.textContent);
        conn.textContent = noteText();
        conn.hidden = false;
      }
      return;
    }
    if (form.querySelector(":scope > .held-note")) return;
    var note = document.createElement("p");
    note.className = "held-note";
    note.setAttribute("role", "status");
    note.textContent = noteText();
    form.appendChild(note);
  }

  function unmark(form) {
    form.classList.remove("held");
    form.removeAttribute("aria-busy");
    var note = form.querySelector(":scope > .held-note");
    if (note) note.remove();
  }

  function hold(form, submitter) {
    if (form.hasAttribute("data-hold-snapshot")) {
      var entries = [];
      form.querySelectorAll("input").forEach(function (input) { entries.push([input.name, input.value]); });
      held.push({ form: form, submitter: null, entries: entries });
    } else {
      var known = held.filter(function (h) { return h.form === form; })[0];
      if (known) known.submitter = submitter || known.submitter;
      else held.push({ form: form, submitter: submitter || null, entries: null });
    }
    mark(form);
  }

  // A held form that a live update replaced: its successor (formkeep.js has
  // put the person's values into it). formkeep.js keys a replaced form inside
  // its old fragment exactly as its successor, so a form held before
  // formkeep.js had loaded (htmx and the deferred scripts still on their way)
  // is found as well.
  function current(item) {
    if (document.contains(item.form)) return item.form;
    return window.dialograumFormKeep ? window.dialograumFormKeep.current(item.form) : null;
  }

  function send(item) {
    var form = current(item);
    unmark(item.form);
    if (!form) return;
    unmark(form);
    if (item.entries) {
      form.textContent = "";
      item.entries.forEach(function (pair) {
        var input = document.createElement("input");
        input.type = "hidden";
        input.name = pair[0];
        input.value = pair[1];
        form.appendChild(input);
      });
    }
    var button = item.submitter && form.contains(item.submitter) ? item.submitter : null;
    // A click tells htmx which button it was (a named one sends its value).
    if (button && button.name && !button.disabled) button.click();
    else if (form.requestSubmit) form.requestSubmit();
    else form.dispatchEvent(new Event("submit", { bubbles: true, cancelable: true }));
  }

  function release() {
    var conn = document.getElementById("conn");
    if (conn && conn.hasAttribute("data-lost")) conn.textContent = conn.getAttribute("data-lost");
    var items = held;
    held = [];
    items.forEach(function (item) {
      if (live()) send(item);
      else held.push(item);
    });
  }

  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    if (!form || !form.hasAttribute || !form.hasAttribute("ws-send") || live()) return;
    evt.preventDefault();
    evt.stopImmediatePropagation();  // neither htmx's queue nor a plain post
    hold(form, evt.submitter);
  }, true);

  window.dialograumHold = {
    release: release,
    count: function () { return held.length; },
  };
})();
