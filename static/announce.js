/* Screen-reader announcements for what changes on a live page, without flooding.
 *
 * A swapped fragment is new DOM, and a screen reader either says nothing or,
 * with aria-live on the fragment, reads all of it on every vote. Instead, the
 * elements that matter carry data-announce="<text>" and a key
 * (data-announce-key): when a key appears or its text changes after the page
 * has loaded, the text goes into one polite live region (#announce). At most
 * one announcement every few seconds; the newest of a burst wins, and a text
 * is never repeated back to back. Counts and timers are not announced: they
 * change too often to be read out.
 */
(function () {
  "use strict";
  var GAP_MS = 4000;
  var seen = null;       // key -> text, from the last look
  var queued = null;     // the text waiting for its turn
  var last = "";
  var lastAt = 0;
  var timer = null;

  function region() { return document.getElementById("announce"); }

  function flush() {
    timer = null;
    var el = region();
    if (!el || queued === null) return;
    if (queued !== last) {
      el.textContent = "";
      // A fresh text node a moment later is what screen readers notice.
      var text = queued;
      setTimeout(function () { el.textContent = text; }, 50);
      last = text;
      lastAt = Date.now();
    }
    queued = null;
  }

  function announce(text) {
    if (!text) return;
    queued = text;
    if (timer) return;
    var wait = Math.max(0, lastAt + GAP_MS - Date.now());
    timer = setTimeout(flush, wait);
  }

  function look() {
    var now = {};
    document.querySelectorAll("[data-announce]").forEach(function (el) {
      if (el.closest("[hidden]")) return;
      now[el.getAttribute("data-announce-key") || el.getAttribute("data-announce")] = el.getAttribute("data-announce");
    });
    if (seen !== null) {
      Object.keys(now).forEach(function (key) { if (seen[key] !== now[key]) announce(now[key]); });
    }
    seen = now;
  }

  document.addEventListener("htmx:wsAfterMessage", look);
  document.addEventListener("DOMContentLoaded", look);
  window.dialograumAnnounce = announce;
})();
