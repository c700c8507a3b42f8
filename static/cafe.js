/* World Café on the page: countdowns, the changeover signal, the host's draft.
 *
 * - countdowns run locally from the timestamps the server rendered
 *   (data-ends-at, ms since the epoch), corrected by the server's clock
 *   (#clock data-server-now), so a phone with a wrong clock still agrees;
 * - when a phone's café card changes phase or round, it vibrates (and beeps
 *   if the person asked for sound);
 * - a host's unsaved key points survive a re-render of their card; if the
 *   card no longer has their form (the next round began, another host took
 *   the table), they are shown with a button that saves them for the round
 *   and table they were written for. They are forgotten only once the
 *   server said yes (or the person discards them), never silently.
 */
(function () {
  "use strict";
  var offset = 0;  // server clock minus this device's clock, in ms
  var lastSignal = null;
  var SOUND_KEY = "dialograum-cafe-sound";
  var DRAFT_KEY = "dialograum-cafe-draft";

  function readOffset() {
    var el = document.getElementById("clock");
    var server = el ? parseInt(el.getAttribute("data-server-now"), 10) : NaN;
    if (!isNaN(server)) offset = server - Date.now();
  }

  function format(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));  // 15:00 at the start, not 15:01
    var m = Math.floor(s / 60);
    s = s % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  function tick() {
    var now = Date.now() + offset;
    document.querySelectorAll("[data-ends-at]").forEach(function (el) {
      var left = parseInt(el.getAttribute("data-ends-at"), 10) - now;
      var text = left > 0 ? format(left) : el.getAttribute("data-timeup");
      if (el.textContent !== text) el.textContent = text;
      el.classList.toggle("over", left <= 0);
      el.classList.toggle("soon", left > 0 && left <= 60000);
    });
  }

  function beep() {
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) return;
      var ctx = new Ctx(), osc = ctx.createOscillator(), gain = ctx.createGain();
      osc.frequency.value = 880;
      gain.gain.value = 0.2;
      osc.connect(gain); gain.connect(ctx.destination);
      osc.start(); osc.stop(ctx.currentTime + 0.35);
    } catch (e) { /* no sound, then */ }
  }

  function signal() {
    var card = document.getElementById("cafe-me");
    if (!card) return;
    var now = card.getAttribute("data-cafe-signal") || "";
    if (lastSignal !== null && now !== lastSignal && now) {
      if (navigator.vibrate) navigator.vibrate([300, 150, 300]);
      if (localStorage.getItem(SOUND_KEY) === "1") beep();
      card.classList.remove("flash");
      void card.offsetWidth;  // restart the animation
      card.classList.add("flash");
    }
    lastSignal = now;
    var box = card.querySelector("[data-cafe-sound]");
    if (box) box.checked = localStorage.getItem(SOUND_KEY) === "1";
    keepDraft(card);
  }

  // Unsaved key points, by "table|round": a host may have one of an earlier round
  // and be typing the next round's at the same time.
  function readDrafts() {
    var drafts = null;
    try { drafts = JSON.parse(sessionStorage.getItem(DRAFT_KEY) || "null"); } catch (e) { drafts = null; }
    return drafts && typeof drafts === "object" && !drafts.signal ? drafts : {};  // not the old format
  }

  function writeDrafts(drafts) {
    if (Object.keys(drafts).length) sessionStorage.setItem(DRAFT_KEY, JSON.stringify(drafts));
    else sessionStorage.removeItem(DRAFT_KEY);
  }

  function keyOf(form) {
    return form.getAttribute("data-table") + "|" + form.getAttribute("data-round");
  }

  // Each unsaved draft goes back into the form it was typed in, or into a rescue box.
  function keepDraft(card) {
    var drafts = readDrafts();
    var form = card.querySelector("[data-host-notes]");
    card.querySelectorAll("[data-host-draft-box]").forEach(function (box) {
      if (!drafts[box.getAttribute("data-key")] || (form && keyOf(form) === box.getAttribute("data-key"))) box.remove();
    });
    var template = card.querySelector("template[data-host-draft-template]");
    Object.keys(drafts).forEach(function (key) {
      if (form && keyOf(form) === key) {
        var area = form.querySelector("textarea");
        if (area && area.value !== drafts[key]) area.value = drafts[key];
        return;
      }
      if (!template || card.querySelector('[data-host-draft-box][data-key="' + key + '"]')) return;
      var parts = key.split("|");
      var node = template.content.firstElementChild.cloneNode(true);
      node.setAttribute("data-key", key);
      var walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
      while (walker.nextNode()) {
        walker.currentNode.nodeValue = walker.currentNode.nodeValue.replace(/__ROUND__/g, parts[1]);
      }
      var rescue = node.querySelector("[data-host-draft]");
      rescue.setAttribute("data-table", parts[0]);
      rescue.setAttribute("data-round", parts[1]);
      rescue.querySelector('[name="table"]').value = parts[0];
      rescue.querySelector('[name="round"]').value = parts[1];
      rescue.querySelector("textarea").id = "host-draft-" + parts[0] + "-" + parts[1];
      rescue.querySelector("label").setAttribute("for", "host-draft-" + parts[0] + "-" + parts[1]);
      rescue.querySelector("textarea").value = drafts[key];
      template.parentNode.insertBefore(node, card.querySelector(".host-view") || template);
      if (window.htmx) window.htmx.process(node);  // wires ws-send to the page's socket
    });
  }

  document.addEventListener("change", function (evt) {
    if (evt.target.matches && evt.target.matches("[data-cafe-sound]")) {
      localStorage.setItem(SOUND_KEY, evt.target.checked ? "1" : "0");
      if (evt.target.checked) beep();
    }
  });
  function notesForm(el) {
    return el && el.closest ? el.closest("[data-host-notes], [data-host-draft]") : null;
  }
  document.addEventListener("input", function (evt) {
    var form = notesForm(evt.target);
    if (!form || evt.target.name !== "text") return;
    var drafts = readDrafts();
    if (evt.target.value) drafts[keyOf(form)] = evt.target.value;
    else delete drafts[keyOf(form)];  // emptied: nothing to keep (formkeep keeps the empty field)
    writeDrafts(drafts);
  });
  // Saved (the server said yes): the server's rendering wins again. Refused: kept.
  document.addEventListener("dialograum:ack", function (evt) {
    var form = evt.detail.form;
    if (!evt.detail.ok || !notesForm(form)) return;
    var drafts = readDrafts();
    delete drafts[keyOf(form)];
    writeDrafts(drafts);
    // the form may be a copy the card's re-render (the saved note) already replaced
    var card = document.getElementById("cafe-me");
    if (card) keepDraft(card);
  });
  document.addEventListener("click", function (evt) {
    var discard = evt.target.closest ? evt.target.closest("[data-host-draft-discard]") : null;
    if (!discard) return;
    var box = discard.closest("[data-host-draft-box]");
    if (!box) return;
    var drafts = readDrafts();
    delete drafts[box.getAttribute("data-key")];
    writeDrafts(drafts);
    box.remove();
  });
  document.addEventListener("htmx:wsAfterMessage", function () { tick(); signal(); });
  document.addEventListener("DOMContentLoaded", function () { readOffset(); tick(); signal(); });
  setInterval(tick, 250);
})();
