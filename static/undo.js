/* The console's "Undo" toast (issue 16): after a move that can be undone
 * (a poll deleted or reset, an action deleted, a card or cluster moved,
 * a suggestion accepted), a toast offers to undo it for 10 seconds.
 *
 * The moves come from the live history (#console-undo, rendered by the
 * server from the log): a move newer than any seen since the page loaded
 * gets the toast. Its button submits that move's own form in the history,
 * so the command goes the usual way (cid, resend, refusal toast). Old
 * moves on a page load get no toast; the history still lists them.
 * Ctrl+Z (Cmd+Z on a Mac) presses the toast's button while it shows.
 */
(function () {
  "use strict";
  var SHOW_MS = 10000;
  var seen = null;   // the newest move's seq when last looked
  var shown = 0;     // the seq the toast offers to undo, 0 when hidden
  var timer = null;

  function history() { return document.getElementById("console-undo"); }
  function item(seq) {
    var list = history();
    return list ? list.querySelector('[data-undo-seq="' + seq + '"]') : null;
  }
  function toastEl() { return document.getElementById("undo-toast"); }

  function hide() {
    var el = toastEl();
    if (el) el.hidden = true;
    shown = 0;
    clearTimeout(timer);
  }

  function show(seq) {
    var el = toastEl(), it = item(seq);
    if (!el || !it || !it.querySelector("form")) return;
    el.querySelector(".undo-toast-text").textContent = it.getAttribute("data-undo-text");
    el.hidden = false;
    shown = seq;
    clearTimeout(timer);
    timer = setTimeout(hide, SHOW_MS);
  }

  function check() {
    var list = history();
    if (!list) return;
    var newest = parseInt(list.getAttribute("data-undo-newest"), 10) || 0;
    if (seen === null) { seen = newest; return; }
    if (newest > seen) { seen = newest; show(newest); return; }
    // Undone meanwhile (here or on another console), or no longer possible.
    if (shown && !(item(shown) && item(shown).querySelector("form"))) hide();
  }

  document.addEventListener("click", function (evt) {
    var btn = evt.target.closest && evt.target.closest("[data-undo-toast]");
    if (!btn) return;
    var it = item(shown), form = it ? it.querySelector("form") : null;
    if (form) form.requestSubmit();
    hide();
  });
  // Ctrl+Z (Cmd+Z) while the toast shows, unless the person is typing (then it is the field's).
  document.addEventListener("keydown", function (evt) {
    if (!shown || evt.key.toLowerCase() !== "z" || !(evt.ctrlKey || evt.metaKey) || evt.shiftKey || evt.altKey) return;
    var tag = (evt.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || evt.target.isContentEditable) return;
    var btn = document.querySelector("[data-undo-toast]");
    if (btn) { evt.preventDefault(); btn.click(); }
  });
  document.addEventListener("htmx:wsAfterMessage", check);
  document.addEventListener("DOMContentLoaded", check);
})();
