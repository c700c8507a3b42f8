/* World Café on the page: countdowns, the changeover signal, the host's draft.
 *
 * - countdowns run locally from the timestamps the server rendered
 *   (data-ends-at, ms since the epoch), corrected by the server's clock
 *   (#clock data-server-now), so a phone with a wrong clock still agrees;
 * - when a phone's café card changes phase or round, it vibrates (and beeps
 *   if the person asked for sound);
 * - a host's unsaved key points survive a re-render of their card.
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
    var area = card.querySelector("[data-host-notes] textarea");
    var draft = null;
    try { draft = JSON.parse(sessionStorage.getItem(DRAFT_KEY) || "null"); } catch (e) { draft = null; }
    if (area && draft && draft.signal === now && draft.dirty && area.value !== draft.text) area.value = draft.text;
  }

  document.addEventListener("change", function (evt) {
    if (evt.target.matches && evt.target.matches("[data-cafe-sound]")) {
      localStorage.setItem(SOUND_KEY, evt.target.checked ? "1" : "0");
      if (evt.target.checked) beep();
    }
  });
  document.addEventListener("input", function (evt) {
    var form = evt.target.closest ? evt.target.closest("[data-host-notes]") : null;
    if (!form) return;
    var card = document.getElementById("cafe-me");
    sessionStorage.setItem(DRAFT_KEY, JSON.stringify({
      signal: card ? card.getAttribute("data-cafe-signal") : "", text: evt.target.value, dirty: true
    }));
  });
  document.addEventListener("submit", function (evt) {
    if (evt.target.matches && evt.target.matches("[data-host-notes]")) sessionStorage.removeItem(DRAFT_KEY);
  });
  document.addEventListener("htmx:wsAfterMessage", function () { tick(); signal(); });
  document.addEventListener("DOMContentLoaded", function () { readOffset(); tick(); signal(); });
  setInterval(tick, 250);
})();
