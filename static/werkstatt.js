/* Werkstattgespräch on the page: Q&A upvotes and sorting, the speaker's vibration,
 * dragging the speaker list, and console edits that survive live updates.
 *
 * - phones: the shared question list is the same for everyone; the questions I
 *   upvoted come in my personal fragment (#my-qna), and their buttons turn into
 *   "take back" here. The list comes without counts, in a fixed order; the
 *   votes and the ranking come in #qna-counts, which is all the phones' tick
 *   sends while only votes move: the numbers are set and the list re-sorted in
 *   place, so nothing the person is doing (focus, a half-typed question) is
 *   reset. "Newest" re-sorts the list locally (data-at).
 * - the current speaker's phone vibrates once, 10 s before the time is up
 *   (data-vibrate on the countdown that cafe.js runs).
 * - console: rows of the speaker list can be dragged; a drop submits the
 *   hidden speakers.move form. Text typed into an edit field (data-keep) is put
 *   back when the live fragment around it is replaced.
 */
(function () {
  "use strict";
  var SORT_KEY = "dialograum-qna-sort";
  var kept = {};
  var buzzed = {};

  function myVotes() {
    var el = document.getElementById("my-qna");
    if (!el) return [];
    try { return JSON.parse(el.textContent || "{}").voted || []; } catch (e) { return []; }
  }

  function markVotes() {
    var voted = myVotes();
    document.querySelectorAll("#phone-qna-list .upvote-form").forEach(function (form) {
      var id = form.querySelector('[name="question"]').value;
      var on = voted.indexOf(id) >= 0;
      var type = form.querySelector('[name="type"]');
      type.value = on ? type.getAttribute("data-down") : type.getAttribute("data-up");
      var btn = form.querySelector("button");
      btn.setAttribute("aria-pressed", on ? "true" : "false");
      btn.classList.toggle("voted", on);
    });
  }

  // {"s1": [["q3", 12], ["q1", 7], …]}: each session's questions, ranked, with votes.
  function applyCounts() {
    var el = document.getElementById("qna-counts");
    if (!el) return;
    var data;
    try { data = JSON.parse(el.textContent || "{}"); } catch (e) { return; }
    document.querySelectorAll(".qna-list-card").forEach(function (card) {
      var ranked = data[card.getAttribute("data-session")] || [];
      ranked.forEach(function (pair, i) {
        var li = card.querySelector('[data-question="' + pair[0] + '"]');
        if (!li) return;
        var votes = String(pair[1]);
        li.setAttribute("data-rank", String(i + 1));
        var num = li.querySelector(".num");
        if (num && num.textContent !== votes) num.textContent = votes;
        var btn = li.querySelector("button[data-label]");
        if (btn) btn.setAttribute("aria-label", btn.getAttribute("data-label").replace("{n}", votes));
      });
    });
  }

  function rank(li) {
    var r = parseInt(li.getAttribute("data-rank"), 10);
    return isNaN(r) ? 1e9 : r;
  }

  function sortLists() {
    var order = sessionStorage.getItem(SORT_KEY) || "votes";
    var active = document.activeElement;
    document.querySelectorAll(".qna-list-card").forEach(function (card) {
      card.querySelectorAll("[data-sort]").forEach(function (b) {
        b.setAttribute("aria-pressed", b.getAttribute("data-sort") === order ? "true" : "false");
      });
      var list = card.querySelector(".qna-list");
      var items = Array.prototype.slice.call(list.children);
      var sorted = items.slice().sort(function (a, b) {
        if (order === "newest") return parseInt(b.getAttribute("data-at"), 10) - parseInt(a.getAttribute("data-at"), 10);
        return rank(a) - rank(b);
      });
      // Move nothing when the order holds: a moved element loses focus.
      if (sorted.every(function (li, i) { return li === items[i]; })) return;
      sorted.forEach(function (li) { list.appendChild(li); });
    });
    if (active && active !== document.activeElement && document.contains(active) && active.focus) {
      active.focus({ preventScroll: true });
    }
  }

  function restoreKept() {
    Object.keys(kept).forEach(function (key) {
      var el = document.querySelector('[data-keep="' + key + '"]');
      if (el && el.value !== kept[key]) el.value = kept[key];
    });
  }

  function afterSwap() { markVotes(); applyCounts(); sortLists(); restoreKept(); }
  document.addEventListener("htmx:wsAfterMessage", afterSwap);
  document.addEventListener("DOMContentLoaded", afterSwap);

  document.addEventListener("click", function (evt) {
    var btn = evt.target.closest && evt.target.closest("[data-sort]");
    if (!btn) return;
    sessionStorage.setItem(SORT_KEY, btn.getAttribute("data-sort"));
    sortLists();
  });
  document.addEventListener("input", function (evt) {
    var key = evt.target.getAttribute && evt.target.getAttribute("data-keep");
    if (key) kept[key] = evt.target.value;
  });
  document.addEventListener("change", function (evt) {
    var key = evt.target.getAttribute && evt.target.getAttribute("data-keep");
    if (key) kept[key] = evt.target.value;
  });
  document.addEventListener("submit", function (evt) {
    evt.target.querySelectorAll("[data-keep]").forEach(function (el) { delete kept[el.getAttribute("data-keep")]; });
  }, true);

  // The speaker's phone: one buzz 10 s before the end of the speaking time,
  // on the server's clock (#clock, read when the page loaded, as cafe.js does).
  var offset = 0;
  document.addEventListener("DOMContentLoaded", function () {
    var clock = document.getElementById("clock");
    var server = clock ? parseInt(clock.getAttribute("data-server-now"), 10) : NaN;
    if (!isNaN(server)) offset = server - Date.now();
  });
  setInterval(function () {
    document.querySelectorAll("[data-vibrate][data-ends-at]").forEach(function (el) {
      var ends = el.getAttribute("data-ends-at");
      var left = parseInt(ends, 10) - (Date.now() + offset);
      if (left <= 10000 && left > 0 && !buzzed[ends]) {
        buzzed[ends] = true;
        el.classList.add("buzz");
        if (navigator.vibrate) navigator.vibrate([250, 120, 250]);
      }
    });
  }, 500);

  // Console: drag a row of the speaker list to a new place.
  var dragged = null;
  document.addEventListener("dragstart", function (evt) {
    var row = evt.target.closest && evt.target.closest("[data-speaker-queue] [data-entry]");
    if (!row) return;
    dragged = row.getAttribute("data-entry");
    evt.dataTransfer.effectAllowed = "move";
    evt.dataTransfer.setData("text/plain", dragged);
    row.classList.add("dragging");
  });
  document.addEventListener("dragover", function (evt) {
    if (dragged && evt.target.closest && evt.target.closest("[data-speaker-queue] [data-entry]")) evt.preventDefault();
  });
  document.addEventListener("dragend", function () {
    document.querySelectorAll(".speaker-row.dragging").forEach(function (r) { r.classList.remove("dragging"); });
    dragged = null;
  });
  document.addEventListener("drop", function (evt) {
    var row = evt.target.closest && evt.target.closest("[data-speaker-queue] [data-entry]");
    var form = document.getElementById("speaker-move");
    if (!dragged || !row || !form) return;
    evt.preventDefault();
    form.querySelector('[name="entry"]').value = dragged;
    form.querySelector('[name="position"]').value = row.getAttribute("data-position");
    dragged = null;
    if (form.requestSubmit) form.requestSubmit(); else form.dispatchEvent(new Event("submit", { cancelable: true, bubbles: true }));
  });
})();
