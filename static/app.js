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
  var pendingForms = {};  // cid -> the form that sent it, to reset on success
  var pendingFormKeys = {};  // cid -> that form's key in formkeep.js, to forget on success
  var toastTimer = null;
  var liveSocket = null;  // the open socket, to resend after the server could not save
  var retryTimer = null;

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
    // For tests and tools: the live socket is open and its forms are wired (htmx ran).
    document.body.setAttribute("data-live", connected ? "open" : "closed");
    // Forms submitted while the page was not live (static/hold.js) go now: after the
    // hello of a new socket (this runs a task later), or once the server can save again.
    if (connected && window.dialograumHold) setTimeout(window.dialograumHold.release, 0);
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
    var sender = evt.target && evt.target.closest ? evt.target.closest("form") : null;
    if (sender) {
      pendingForms[cid] = sender;
      if (window.dialograumFormKeep) {
        pendingFormKeys[cid] = { key: window.dialograumFormKeep.keyOf(sender), sent: window.dialograumFormKeep.snapshot(sender) };
      }
      sender.classList.add("sending");
    }
  });

  document.addEventListener("htmx:wsOpen", function (evt) {
    setConnected(true);
    var socket = evt.detail.socketWrapper;
    liveSocket = socket;
    socket.sendImmediately(JSON.stringify({ type: "hello", after: currentSeq() }));
    var queued = {};
    (socket.queue || []).forEach(function (item) { queued[item.message] = true; });
    Object.keys(pending).forEach(function (cid) {
      if (!queued[pending[cid]]) socket.sendImmediately(pending[cid]);
    });
  });

  document.addEventListener("htmx:wsClose", function () { liveSocket = null; setConnected(false); });

  // The server could not save (its Redis restarts): the command stays pending,
  // the page says "reconnecting", and it is sent again with the same cid, so it
  // counts once. Reconnects resend it too.
  function retrySoon() {
    setConnected(false);
    if (retryTimer) return;
    retryTimer = setTimeout(function () {
      retryTimer = null;
      if (!liveSocket) return;
      Object.keys(pending).forEach(function (cid) { liveSocket.sendImmediately(pending[cid]); });
    }, 2000);
  }

  document.addEventListener("htmx:wsBeforeMessage", function (evt) {
    var text = evt.detail.message;
    if (typeof text !== "string" || text.charAt(0) !== "{") return;
    evt.preventDefault();  // JSON is for us, not for swapping
    var msg;
    try { msg = JSON.parse(text); } catch (e) { return; }
    if (msg.type === "ack") {
      if (!msg.ok && msg.reason === "store_unavailable" && msg.cid && pending[msg.cid]) {
        retrySoon();
        return;
      }
      if (liveSocket) setConnected(true);
      var form = msg.cid ? pendingForms[msg.cid] : null;
      var formKey = msg.cid ? pendingFormKeys[msg.cid] : undefined;
      if (msg.cid) { delete pending[msg.cid]; delete pendingForms[msg.cid]; delete pendingFormKeys[msg.cid]; }
      if (form) form.classList.remove("sending");
      // Others (cafe.js) learn how their form's command ended: a draft is dropped only once saved.
      document.dispatchEvent(new CustomEvent("dialograum:ack", { detail: { ok: !!msg.ok, form: form } }));
      if (!msg.ok) { toast(msg.message || msg.reason, false); return; }
      // Accepted: an error note from an earlier try goes, it no longer applies.
      var note = document.getElementById("toast");
      if (note && !note.classList.contains("ok")) note.hidden = true;
      // Accepted: the next rendering shows what the server now holds.
      if (formKey !== undefined && window.dialograumFormKeep) window.dialograumFormKeep.forget(formKey.key, formKey.sent);
      if (form && form.hasAttribute("data-reset-on-ok")) resetEditor(form);
      if (form && form.hasAttribute("data-poll")) { form.classList.remove("editing"); form.dataset.dirty = ""; }
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
      var t = Math.max(0, Math.min(1, (now - start) / ms));  // rAF time may precede start
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
      // An element already animating keeps its target: its half-way text is no target.
      if (shown.has(el)) return;
      if (lastByKey[key] !== undefined) shown.set(el, lastByKey[key]);
      tween(el);
      lastByKey[key] = shown.get(el);
    });
  }
  // Bars grow from their old size to the new one: the swapped-in element
  // starts at the width the old one had, then transitions (CSS) to its own.
  var barSizes = {};
  function animateBars() {
    document.querySelectorAll("[data-bar]").forEach(function (el) {
      var prop = el.getAttribute("data-bar") === "height" ? "height" : "width";
      var target = el.style[prop];
      var before = barSizes[el.id];
      barSizes[el.id] = target;
      if (before === undefined || before === target || el.dataset.animated === target) return;
      el.dataset.animated = target;
      el.style.transition = "none";
      el.style[prop] = before;
      void el.offsetWidth;  // commit the old size before transitioning
      el.style.transition = "";
      el.style[prop] = target;
    });
  }

  // --- phone ballots -------------------------------------------------------
  function myBallots() {
    var el = document.getElementById("my-ballots");
    if (!el) return {};
    try { return JSON.parse(el.textContent || "{}"); } catch (e) { return {}; }
  }

  function labelFor(form, value) {
    var input = form.querySelector('[data-label][value="' + value + '"]');
    return input ? input.getAttribute("data-label") : value;
  }

  function summary(form, ballot) {
    if (ballot.choice !== undefined) return labelFor(form, ballot.choice);
    if (ballot.choices) return ballot.choices.map(function (c) { return labelFor(form, c); }).join(", ");
    if (ballot.value !== undefined) return String(ballot.value);
    if (ballot.ranking) return ballot.ranking.map(function (c, i) { return (i + 1) + ". " + labelFor(form, c); }).join("\n");
    if (ballot.points) return Object.keys(ballot.points).map(function (k) {
      var input = form.querySelector('[name="points.' + k + '"]');
      return (input ? input.getAttribute("data-label") : k) + ": " + ballot.points[k];
    }).join(", ");
    return ballot.text || "";
  }

  function fill(form, ballot) {
    form.querySelectorAll('input[type="radio"], input[type="checkbox"]').forEach(function (input) {
      var v = input.value;
      input.checked = ballot.choice === v || String(ballot.value) === v || (ballot.choices || []).indexOf(v) >= 0;
    });
    if (ballot.ranking) {
      var list = form.querySelector(".rank-list");
      ballot.ranking.forEach(function (id) {
        var item = list && list.querySelector('[data-option="' + id + '"]');
        if (item) list.appendChild(item);
      });
    }
    if (ballot.points) {
      form.querySelectorAll('input[name^="points."]').forEach(function (input) {
        input.value = ballot.points[input.name.slice(7)] || 0;
      });
      updatePoints(form);
    }
    var text = form.querySelector("textarea[name=text]");
    if (text && ballot.text !== undefined) { text.value = ballot.text; updateCounter(text); }
  }

  function shuffleRankings() {
    // Everyone starts from their own random order, so "just press vote" favours no option.
    document.querySelectorAll(".rank-list[data-shuffle]").forEach(function (list) {
      list.removeAttribute("data-shuffle");
      var items = Array.prototype.slice.call(list.children);
      for (var i = items.length - 1; i > 0; i--) {
        var j = Math.floor(Math.random() * (i + 1));
        var tmp = items[i]; items[i] = items[j]; items[j] = tmp;
      }
      items.forEach(function (item) { list.appendChild(item); });
    });
  }

  function showResultsOnceVoted(ballots) {
    // Results shared on phones appear after one's own vote, not before it.
    document.querySelectorAll("[data-results-for]").forEach(function (card) {
      card.hidden = !ballots[card.getAttribute("data-results-for")];
    });
  }

  function applyBallots() {
    var ballots = myBallots();
    shuffleRankings();
    showResultsOnceVoted(ballots);
    document.querySelectorAll("form[data-poll]").forEach(function (form) {
      var ballot = ballots[form.getAttribute("data-poll")];
      var mine = form.querySelector(".mine");
      var key = ballot ? JSON.stringify(ballot) : "";
      if (form.dataset.applied === key) return;  // nothing new: keep what the user is doing
      form.dataset.applied = key;
      if (!ballot) {
        // No ballot (any more, e.g. after a reset): start clean unless the person is mid-way.
        if (form.classList.contains("voted") && !form.dataset.dirty) form.reset();
        form.classList.remove("voted");
        if (mine) mine.hidden = true;
        return;
      }
      if (!form.dataset.dirty) fill(form, ballot);
      form.classList.add("voted");
      if (mine) { mine.hidden = false; mine.querySelector(".mine-text").textContent = summary(form, ballot); }
    });
  }

  function updatePoints(form) {
    var info = form.querySelector(".points-left");
    if (!info) return;
    var budget = parseInt(info.getAttribute("data-budget"), 10);
    var used = 0;
    form.querySelectorAll('input[name^="points."]').forEach(function (i) { used += parseInt(i.value, 10) || 0; });
    var over = info.getAttribute("data-over");
    info.textContent = used > budget && over
      ? over.replace("{over}", String(used - budget))
      : info.getAttribute("data-template").replace("{left}", String(budget - used));
    info.classList.toggle("over", used > budget);
    limitSteppers(form, used >= budget);
  }

  // "+" stops at the budget (and at an option's cap): going over is not offered.
  function limitSteppers(form, spent) {
    form.querySelectorAll('input[name^="points."]').forEach(function (input) {
      var value = parseInt(input.value, 10) || 0, cap = parseInt(input.max, 10) || Infinity;
      var row = input.parentNode;
      var more = row.querySelector('.step:not([data-step^="-"])'), less = row.querySelector('.step[data-step^="-"]');
      if (more) more.disabled = spent || value >= cap;
      if (less) less.disabled = value <= 0;
    });
  }
  window.dialograumLimitSteppers = limitSteppers;

  function updateCounter(area) {
    var counter = area.parentNode.querySelector(".counter .count");
    if (counter) counter.textContent = String(area.value.length);
  }

  document.addEventListener("input", function (evt) {
    var form = evt.target.closest && evt.target.closest("form[data-poll]");
    if (!form) return;
    form.dataset.dirty = "1";
    if (evt.target.matches("textarea[data-counter]")) updateCounter(evt.target);
    if (evt.target.name && evt.target.name.indexOf("points.") === 0) updatePoints(form);
  });

  document.addEventListener("click", function (evt) {
    var closer = evt.target.closest && evt.target.closest("[data-close-details]");
    if (closer) { closer.closest("details").open = false; }
  });

  document.addEventListener("click", function (evt) {
    var t = evt.target;
    var form = t.closest && t.closest("form[data-poll]");
    if (!form) return;
    if (t.closest(".change")) { form.classList.add("editing"); return; }
    var move = t.closest(".rank-move");
    if (move) {
      var item = move.closest("li"), list = item.parentNode;
      if (move.getAttribute("data-dir") === "-1" && item.previousElementSibling) list.insertBefore(item, item.previousElementSibling);
      if (move.getAttribute("data-dir") === "1" && item.nextElementSibling) list.insertBefore(item.nextElementSibling, item);
      form.dataset.dirty = "1";
      move.focus();
      return;
    }
    var step = t.closest(".step");
    if (step) {
      var input = step.parentNode.querySelector("input");
      var delta = parseInt(step.getAttribute("data-step"), 10);
      var info = form.querySelector(".points-left");
      if (info && delta > 0) {  // a big step takes what is left of the budget, not more
        var left = parseInt(info.getAttribute("data-budget"), 10);
        form.querySelectorAll('input[name^="points."]').forEach(function (i) { left -= parseInt(i.value, 10) || 0; });
        delta = Math.max(0, Math.min(delta, left));
      }
      var next = (parseInt(input.value, 10) || 0) + delta;
      input.value = Math.max(0, Math.min(parseInt(input.max, 10) || 9999, next));
      input.dispatchEvent(new Event("input", { bubbles: true }));  // marks it dirty, counts points
    }
  });

  // --- console poll editor -------------------------------------------------
  function resetEditor(form) {
    form.reset();
    var type = form.querySelector('[name="type"]');
    if (type && type.value === "poll.update") type.value = "poll.create";
    var id = form.querySelector('[name="poll"]');
    if (id) { id.value = ""; id.disabled = true; }
    var details = form.closest("details");
    if (details) details.open = false;
  }

  document.addEventListener("click", function (evt) {
    var edit = evt.target.closest && evt.target.closest("[data-edit]");
    var cancel = evt.target.closest && evt.target.closest("[data-editor-cancel]");
    // The poll editor: other panels (the agenda, boards, actions) have editor forms too.
    var editor = document.querySelector("#poll-editor .editor-form");
    if (!editor) return;
    if (cancel) { resetEditor(editor); return; }
    if (!edit) return;
    var row = document.getElementById("poll-" + edit.getAttribute("data-edit"));
    var def = JSON.parse(row.getAttribute("data-poll-def"));
    editor.querySelector('[name="type"]').value = "poll.update";
    var id = editor.querySelector('[name="poll"]');
    id.disabled = false; id.value = def.poll;
    editor.querySelector('[name="kind"]').value = def.kind;
    editor.querySelector('[name="question"]').value = def.question;
    editor.querySelector('[name="options"]').value = def.options.join("\n");
    ["max_choices", "scale_min", "scale_max", "min_label", "max_label", "budget", "max_per_option"].forEach(function (k) {
      editor.querySelector('[name="' + k + '"]').value = def.settings[k];
    });
    editor.querySelector('[name="hide_results"]').checked = def.settings.hide_results;
    editor.querySelector('[name="results_on_phones"]').checked = def.settings.results_on_phones;
    editor.querySelector('[name="named"]').checked = !def.settings.anonymous;
    editor.closest("details").open = true;
    editor.querySelector('[name="question"]').focus();
  });

  // <details> that a moderator opened stay open when their fragment is replaced.
  var openDetails = {};
  document.addEventListener("toggle", function (evt) {
    var el = evt.target;
    if (el.tagName === "DETAILS" && el.id) openDetails[el.id] = el.open;
  }, true);
  // The toggle event comes a task later than the click, so a swap right after a
  // click could miss it: read the truth from the page just before each swap too.
  document.addEventListener("htmx:wsBeforeMessage", function () {
    document.querySelectorAll("details[id]").forEach(function (el) { openDetails[el.id] = el.open; });
  });
  function reopenDetails() {
    Object.keys(openDetails).forEach(function (id) {
      var el = document.getElementById(id);
      if (el && el.open !== openDetails[id]) el.open = openDetails[id];
    });
  }

  function afterSwap() { reopenDetails(); tweenAll(); animateBars(); applyBallots(); }
  document.addEventListener("htmx:wsAfterMessage", afterSwap);
  document.addEventListener("DOMContentLoaded", afterSwap);

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
    if (evt.key.toLowerCase() === "n" && document.getElementById("poll-editor")) {
      evt.preventDefault();
      var details = document.getElementById("poll-editor");
      details.open = true;
      details.querySelector('[name="question"]').focus();
      return;
    }
    var btn = document.querySelector('[data-key="' + evt.key.toLowerCase() + '"]');
    if (btn) { evt.preventDefault(); btn.click(); }
  });
})();
