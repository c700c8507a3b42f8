/* Dialograum live glue on top of htmx's WebSocket extension.
 *
 * - every command gets a client id (cid) and stays pending until acked;
 *   after a reconnect the pending ones are resent (the server ignores
 *   repeats), so nothing a person submitted is lost;
 * - on (re)connect the page says which seq it shows, and the server sends
 *   fresh views only if the room has moved on;
 * - acks are JSON and handled here; fragments are HTML and swapped by htmx.
 */
(function () {
  "use strict";
  var pending = {};   // cid -> message body, until acked
  var toastTimer = null;

  function newCid() {
    // crypto.randomUUID needs a secure context; venue laptops serve plain http.
    var bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function currentSeq() {
    var el = document.getElementById("seq");
    return el ? parseInt(el.getAttribute("data-seq"), 10) || 0 : 0;
  }

  function toast(text, ok) {
    var el = document.getElementById("toast");
    if (!el || !text) return;
    el.textContent = text;
    el.className = ok ? "toast ok" : "toast";
    el.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { el.hidden = true; }, 5000);
  }

  function setConnected(connected) {
    var el = document.getElementById("conn");
    if (el) el.hidden = connected;
    document.body.classList.toggle("offline", !connected);
  }

  document.addEventListener("htmx:wsConfigSend", function (evt) {
    var form = evt.target && evt.target.closest ? evt.target.closest("[data-confirm]") : null;
    if (form && !window.confirm(form.getAttribute("data-confirm"))) {
      evt.preventDefault();
      return;
    }
    var cid = newCid();
    evt.detail.parameters.cid = cid;
    var body = Object.assign({}, evt.detail.parameters);
    evt.detail.messageBody = JSON.stringify(body);
    pending[cid] = evt.detail.messageBody;
  });

  document.addEventListener("htmx:wsOpen", function (evt) {
    setConnected(true);
    var socket = evt.detail.socketWrapper;
    socket.sendImmediately(JSON.stringify({ type: "hello", after: currentSeq() }));
    var queued = {};
    (socket.queue || []).forEach(function (item) { queued[item.message] = true; });
    Object.keys(pending).forEach(function (cid) {
      if (!queued[pending[cid]]) socket.sendImmediately(pending[cid]);
    });
  });

  document.addEventListener("htmx:wsClose", function () { setConnected(false); });

  document.addEventListener("htmx:wsBeforeMessage", function (evt) {
    var text = evt.detail.message;
    if (typeof text !== "string" || text.charAt(0) !== "{") return;
    evt.preventDefault();  // JSON is for us, not for swapping
    var msg;
    try { msg = JSON.parse(text); } catch (e) { return; }
    if (msg.type === "ack") {
      if (msg.cid) delete pending[msg.cid];
      if (!msg.ok) toast(msg.message || msg.reason, false);
    }
  });

  // Numbers that change count up or down instead of jumping.
  var shown = new WeakMap();
  function tween(el) {
    var target = parseInt(el.textContent.replace(/\D+/g, ""), 10);
    var from = shown.get(el);
    if (isNaN(target)) return;
    if (from === undefined || from === target || window.matchMedia("(prefers-reduced-motion: reduce)").matches) {
      shown.set(el, target);
      return;
    }
    var text = el.textContent, start = performance.now(), ms = 400;
    function step(now) {
      var t = Math.min(1, (now - start) / ms);
      var value = Math.round(from + (target - from) * (1 - Math.pow(1 - t, 3)));
      el.textContent = text.replace(/\d+/, String(value));
      if (t < 1) requestAnimationFrame(step);
    }
    shown.set(el, target);
    requestAnimationFrame(step);
  }
  var lastByKey = {};
  function tweenAll() {
    document.querySelectorAll("[data-tween]").forEach(function (el, i) {
      var key = (el.closest("[id]") || {}).id + ":" + i;
      if (lastByKey[key] !== undefined && !shown.has(el)) shown.set(el, lastByKey[key]);
      tween(el);
      lastByKey[key] = shown.get(el);
    });
  }
  document.addEventListener("htmx:wsAfterMessage", tweenAll);
  document.addEventListener("DOMContentLoaded", tweenAll);

  // Plain (non-socket) forms that ask before they act, e.g. "leave event".
  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    if (form.hasAttribute("data-confirm") && !form.hasAttribute("ws-send") && !window.confirm(form.getAttribute("data-confirm"))) {
      evt.preventDefault();
    }
  }, true);

  // Copy buttons and console keyboard shortcuts.
  document.addEventListener("click", function (evt) {
    var btn = evt.target.closest && evt.target.closest("[data-copy]");
    if (!btn) return;
    var value = btn.getAttribute("data-copy");
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(value);
    } else {
      var area = document.createElement("textarea");
      area.value = value; document.body.appendChild(area); area.select();
      try { document.execCommand("copy"); } catch (e) { /* nothing to do */ }
      area.remove();
    }
    toast(btn.textContent + " ✓", true);
  });
  document.addEventListener("keydown", function (evt) {
    if (evt.ctrlKey || evt.metaKey || evt.altKey) return;
    var tag = (evt.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select") return;
    var btn = document.querySelector('[data-key="' + evt.key.toLowerCase() + '"]');
    if (btn) { evt.preventDefault(); btn.click(); }
  });
})();
