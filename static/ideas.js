/* Dialograum idea boards: drag-and-drop clustering in the console, dots and cards on phones.
 *
 * Drag and drop uses pointer events only, so one code path serves a mouse and
 * a finger on a tablet at the flip chart (cards have touch-action: none). The
 * listeners sit on the document, not on the cards: the console's fragments
 * are replaced while someone drags, and a captured pointer would be lost.
 * Keyboard: Enter or Space picks a focused card up and drops it on the
 * focused cluster or card; digits 1-9 move it to that cluster, 0 to the
 * unclustered cards; Escape cancels.
 *
 * Commands go through the hidden ws-send form #ideas-send, so they get a
 * cid and are resent after a reconnect like every other command (app.js).
 */
(function () {
  "use strict";

  function send(fields) {
    var form = document.getElementById("ideas-send");
    if (!form) return;
    form.textContent = "";
    Object.keys(fields).forEach(function (name) {
      if (fields[name] === null || fields[name] === undefined) return;
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = String(fields[name]);
      form.appendChild(input);
    });
    if (form.requestSubmit) form.requestSubmit(); else htmx.trigger(form, "submit");
  }

  function say(text) {
    var el = document.getElementById("toast");
    if (!el) return;
    el.textContent = text;
    el.className = "toast ok";
    el.hidden = false;
    clearTimeout(say.timer);
    say.timer = setTimeout(function () { el.hidden = true; }, 3000);
  }

  // --- moving a card ---------------------------------------------------------
  function zoneOf(el) { return el && el.closest ? el.closest("[data-drop]") : null; }
  function boardOf(el) { var b = el && el.closest ? el.closest("[data-board]") : null; return b ? b.getAttribute("data-board") : null; }

  function cardsIn(zone, except) {
    return Array.prototype.filter.call(zone.querySelectorAll("[data-idea]"), function (c) { return c !== except; });
  }

  /* Put the card into the zone (before ``before``, if given) and tell the server. */
  function moveCard(card, zone, before) {
    if (!card || !zone || boardOf(card) !== boardOf(zone)) return;
    var cluster = zone.getAttribute("data-drop");
    var position = null;
    if (cluster && before && before !== card) position = cardsIn(zone, card).indexOf(before);
    if (cluster && position === -1) position = null;
    if (before && before.parentNode === zone && before !== card) zone.insertBefore(card, before);
    else if (cluster) zone.appendChild(card);
    else { var head = zone.querySelector(".zone-head"); zone.insertBefore(card, head ? head.nextSibling : zone.firstChild); }
    send({ type: "cluster.assign", idea: card.getAttribute("data-idea"), cluster: cluster, position: position });
  }

  // --- pointer drag (mouse and touch) ----------------------------------------
  var drag = null;

  function clearHover() {
    document.querySelectorAll(".drop-zone.drop-hover").forEach(function (z) { z.classList.remove("drop-hover"); });
  }

  function targetAt(x, y) {
    var el = document.elementFromPoint(x, y);
    var zone = zoneOf(el);
    var card = el && el.closest ? el.closest("[data-idea]") : null;
    return { zone: zone, card: card && zone && zone.contains(card) ? card : null };
  }

  function endDrag() {
    if (!drag) return;
    if (drag.ghost) drag.ghost.remove();
    var card = document.querySelector('[data-idea="' + drag.id + '"]');
    if (card) card.classList.remove("dragging");
    document.body.classList.remove("is-dragging");
    clearHover();
    drag = null;
  }

  document.addEventListener("pointerdown", function (evt) {
    var card = evt.target.closest && evt.target.closest("#console-ideas [data-idea]");
    if (!card || evt.button !== 0 || evt.target.closest("button, a, input, select, textarea")) return;
    drag = { id: card.getAttribute("data-idea"), x: evt.clientX, y: evt.clientY, pointer: evt.pointerId, started: false, ghost: null };
  });

  document.addEventListener("pointermove", function (evt) {
    if (!drag || evt.pointerId !== drag.pointer) return;
    var card = document.querySelector('[data-idea="' + drag.id + '"]');
    if (!drag.started) {
      if (Math.abs(evt.clientX - drag.x) + Math.abs(evt.clientY - drag.y) < 6 || !card) return;
      drag.started = true;
      var box = card.getBoundingClientRect();
      drag.dx = drag.x - box.left; drag.dy = drag.y - box.top;
      drag.ghost = card.cloneNode(true);
      drag.ghost.removeAttribute("data-idea");
      drag.ghost.removeAttribute("id");
      drag.ghost.className += " drag-ghost";
      drag.ghost.style.width = box.width + "px";
      document.body.appendChild(drag.ghost);
      card.classList.add("dragging");
      document.body.classList.add("is-dragging");
    }
    evt.preventDefault();
    drag.ghost.style.transform = "translate(" + (evt.clientX - drag.dx) + "px," + (evt.clientY - drag.dy) + "px)";
    clearHover();
    var t = targetAt(evt.clientX, evt.clientY);
    if (t.zone) t.zone.classList.add("drop-hover");
    if (evt.clientY < 60) window.scrollBy(0, -24);
    else if (evt.clientY > window.innerHeight - 60) window.scrollBy(0, 24);
  });

  document.addEventListener("pointerup", function (evt) {
    if (!drag || evt.pointerId !== drag.pointer) return;
    if (drag.started) {
      var t = targetAt(evt.clientX, evt.clientY);
      var card = document.querySelector('[data-idea="' + drag.id + '"]');
      if (t.zone && card) moveCard(card, t.zone, t.card);
    }
    endDrag();
  });
  document.addEventListener("pointercancel", endDrag);

  // --- keyboard alternative --------------------------------------------------
  var held = null;  // id of the card picked up with the keyboard

  function release() {
    var card = held && document.querySelector('[data-idea="' + held + '"]');
    if (card) card.classList.remove("held");
    held = null;
  }

  document.addEventListener("keydown", function (evt) {
    if (evt.ctrlKey || evt.metaKey || evt.altKey) return;
    var focus = document.activeElement;
    if (!focus || !focus.closest || !focus.closest("#console-ideas")) return;
    var card = focus.closest("[data-idea]");
    var zone = zoneOf(focus);
    if (!card && !zone) return;
    if (evt.target.closest("button, input, select, textarea")) return;
    var key = evt.key;
    if (key === "Escape" && held) { release(); evt.preventDefault(); return; }
    if (card && /^[0-9]$/.test(key)) {
      evt.preventDefault();
      var board = card.closest(".board-row");
      var clusters = board.querySelectorAll('[data-drop]:not([data-drop=""])');
      var target = key === "0" ? board.querySelector('[data-drop=""]') : clusters[parseInt(key, 10) - 1];
      if (target) { moveCard(card, target, null); card.focus(); }
      release();
      return;
    }
    if (key !== "Enter" && key !== " ") return;
    evt.preventDefault();
    var heldCard = held && document.querySelector('[data-idea="' + held + '"]');
    if (!heldCard) {
      if (!card) return;
      held = card.getAttribute("data-idea");
      card.classList.add("held");
      say(card.querySelector(".idea-text").textContent.slice(0, 60) + " ⇢ " + (document.getElementById("ideas-send").getAttribute("data-held-help") || ""));
      return;
    }
    if (card === heldCard) { release(); return; }
    moveCard(heldCard, zone, card && card !== heldCard ? card : null);
    heldCard.focus();
    release();
  });

  // --- console buttons ---------------------------------------------------------
  document.addEventListener("click", function (evt) {
    var t = evt.target.closest && evt.target.closest("[data-fix], [data-merge], [data-hide], [data-rename-cluster], [data-delete-cluster], [data-new-cluster], [data-make-action]");
    if (!t) return;
    var ask = t.getAttribute("data-ask");
    if (t.hasAttribute("data-fix")) {
      openEditor({ kind: "fix", id: t.getAttribute("data-fix"), value: t.getAttribute("data-text"), label: ask, multiline: true });
    } else if (t.hasAttribute("data-merge")) {
      openEditor({ kind: "merge", id: t.getAttribute("data-merge"), value: "", label: ask });
    } else if (t.hasAttribute("data-hide")) {
      send({ type: "idea.hide", idea: t.getAttribute("data-hide"), hidden: t.getAttribute("data-hidden") });
    } else if (t.hasAttribute("data-rename-cluster")) {
      openEditor({ kind: "rename", id: t.getAttribute("data-rename-cluster"), value: t.getAttribute("data-name"), label: ask });
    } else if (t.hasAttribute("data-delete-cluster")) {
      if (window.confirm(ask)) send({ type: "cluster.delete", cluster: t.getAttribute("data-delete-cluster") });
    } else if (t.hasAttribute("data-new-cluster")) {
      openEditor({ kind: "new", id: t.getAttribute("data-new-cluster"), value: "", label: ask });
    } else if (t.hasAttribute("data-make-action")) {
      var editor = document.getElementById("action-editor");
      if (!editor) return;
      editor.open = true;
      editor.querySelector('[name="title"]').value = t.getAttribute("data-title");
      editor.querySelector('[name="source"]').value = t.getAttribute("data-make-action");
      editor.querySelector('[name="title"]').focus();
    }
  });

  // --- inline editing instead of the browser's prompt() ----------------------------
  // A small form opens next to what it edits (a card's text, a merge target, a
  // cluster's name, a new cluster). It lives outside the server's rendering, so
  // it is drawn again after every swap from `editing`, with what was typed.
  var editing = null;  // {kind, id, value, label, multiline, focused}
  var swapping = false;  // a swap removes the editor: that blur is not the person leaving it
  document.addEventListener("htmx:wsBeforeMessage", function (evt) {
    var text = evt.detail.message;
    if (typeof text === "string" && text.charAt(0) !== "{") swapping = true;
  });
  var TRIGGER = { fix: "data-fix", merge: "data-merge", rename: "data-rename-cluster", "new": "data-new-cluster" };

  function openEditor(spec) {
    editing = spec;
    editing.focused = true;
    drawEditor();
  }

  function closeEditor() {
    editing = null;
    document.querySelectorAll("[data-inline-editor]").forEach(function (f) { f.remove(); });
  }

  function saveEditor() {
    var e = editing, value = (e.value || "").trim();
    if (e.kind === "fix" && value) send({ type: "idea.edit", idea: e.id, text: value });
    if (e.kind === "merge" && value.replace(/\D+/g, "")) send({ type: "idea.merge", idea: e.id, into: "i" + value.replace(/\D+/g, "") });
    if (e.kind === "rename") send({ type: "cluster.rename", cluster: e.id, name: value });
    if (e.kind === "new") send({ type: "cluster.create", board: e.id, name: value });
    var trigger = document.querySelector("[" + TRIGGER[e.kind] + '="' + e.id + '"]');
    closeEditor();
    if (trigger) trigger.focus();
  }

  function drawEditor() {
    document.querySelectorAll("[data-inline-editor]").forEach(function (f) { f.remove(); });
    if (!editing) return;
    var trigger = document.querySelector("[" + TRIGGER[editing.kind] + '="' + editing.id + '"]');
    if (!trigger) { editing = null; return; }  // its card or cluster is gone
    var root = document.getElementById("console-ideas");
    var anchor = trigger.closest(".idea-card, .zone-head") || trigger.closest(".button-row") || trigger;
    var form = document.createElement("form");
    form.className = "inline-edit";
    form.setAttribute("data-inline-editor", editing.kind);
    var label = document.createElement("label");
    label.textContent = editing.label;
    var field = document.createElement(editing.multiline ? "textarea" : "input");
    if (editing.multiline) field.rows = 3; else field.type = "text";
    if (editing.kind === "merge") field.inputMode = "numeric";
    field.value = editing.value || "";
    label.appendChild(field);
    var save = document.createElement("button");
    save.type = "submit"; save.className = "button small primary";
    save.textContent = (root && root.getAttribute("data-save-label")) || "OK";
    var cancel = document.createElement("button");
    cancel.type = "button"; cancel.className = "button small quiet";
    cancel.textContent = (root && root.getAttribute("data-cancel-label")) || "×";
    var row = document.createElement("span");
    row.className = "button-row";
    row.appendChild(save); row.appendChild(cancel);
    form.appendChild(label); form.appendChild(row);
    anchor.parentNode.insertBefore(form, anchor.nextSibling);
    form.addEventListener("submit", function (evt) { evt.preventDefault(); saveEditor(); });
    cancel.addEventListener("click", function () { var k = editing; closeEditor(); var t = k && document.querySelector("[" + TRIGGER[k.kind] + '="' + k.id + '"]'); if (t) t.focus(); });
    field.addEventListener("input", function () { if (editing) editing.value = field.value; });
    field.addEventListener("focus", function () { if (editing) editing.focused = true; });
    field.addEventListener("blur", function () { if (editing && !swapping) editing.focused = false; });
    field.addEventListener("keydown", function (evt) {
      evt.stopPropagation();  // the console's shortcuts and card keys stay out of the way
      if (evt.key === "Escape") { evt.preventDefault(); cancel.click(); }
      if (evt.key === "Enter" && (!editing.multiline || evt.ctrlKey || evt.metaKey)) { evt.preventDefault(); saveEditor(); }
    });
    if (editing.focused) {
      field.focus({ preventScroll: true });
      var end = field.value.length;
      try { field.setSelectionRange(end, end); } catch (e) { /* nothing to place */ }
    }
  }

  // --- console: headings first, one cluster per line --------------------------
  document.addEventListener("submit", function (evt) {
    var form = evt.target.closest && evt.target.closest("form[data-headings]");
    if (!form) return;
    evt.preventDefault();
    var board = form.getAttribute("data-headings");
    var field = form.querySelector("textarea");
    var names = field.value.split(/\n/).map(function (n) { return n.trim(); }).filter(Boolean);
    names.forEach(function (name) { send({ type: "cluster.create", board: board, name: name }); });
    field.value = "";
  });
  document.addEventListener("click", function (evt) {
    var button = evt.target.closest && evt.target.closest("[data-wait]");
    if (!button) return;
    var status = button.closest(".clustering").querySelector(".cluster-progress");
    if (status && !status.textContent.trim()) status.textContent = button.getAttribute("data-wait") || "";
  });

  // --- phones: dots ------------------------------------------------------------
  function dotsLeft(form) {
    var info = form.querySelector(".points-left");
    if (!info) return;
    var budget = parseInt(info.getAttribute("data-budget"), 10), used = 0;
    form.querySelectorAll('input[name^="points."]').forEach(function (i) { used += parseInt(i.value, 10) || 0; });
    var over = info.getAttribute("data-over");
    info.textContent = used > budget && over
      ? over.replace("{over}", String(used - budget))
      : info.getAttribute("data-template").replace("{left}", String(budget - used));
    info.classList.toggle("over", used > budget);
    if (window.dialograumLimitSteppers) window.dialograumLimitSteppers(form, used >= budget);
  }

  function fillDots() {
    var el = document.getElementById("my-dots");
    var mine = {};
    try { mine = JSON.parse((el && el.textContent) || "{}"); } catch (e) { mine = {}; }
    document.querySelectorAll("form[data-dots]").forEach(function (form) {
      if (form.dataset.dirty) return;
      var ballot = mine[form.getAttribute("data-dots")] || {};
      form.querySelectorAll('input[name^="points."]').forEach(function (input) {
        input.value = ballot[input.name.slice(7)] || 0;
      });
      form.classList.toggle("voted", Object.keys(ballot).length > 0);
      dotsLeft(form);
    });
  }

  document.addEventListener("click", function (evt) {
    var step = evt.target.closest && evt.target.closest("form[data-dots] .step");
    if (!step) return;
    var form = step.closest("form");
    var input = step.parentNode.querySelector("input");
    var next = (parseInt(input.value, 10) || 0) + parseInt(step.getAttribute("data-step"), 10);
    input.value = Math.max(0, Math.min(parseInt(input.max, 10) || 99, next));
    input.dispatchEvent(new Event("input", { bubbles: true }));  // marks it dirty, counts dots
  });

  document.addEventListener("input", function (evt) {
    var form = evt.target.closest && evt.target.closest("form[data-dots]");
    if (form) { form.dataset.dirty = "1"; dotsLeft(form); }
    if (evt.target.matches && evt.target.matches("textarea[data-idea-counter]")) {
      var count = evt.target.parentNode.querySelector(".counter .count");
      if (count) count.textContent = String(evt.target.value.length);
    }
  });

  // --- forms that empty themselves once the server said yes ----------------------
  // The ack can arrive after the fragment that already shows the new card (the
  // hub flushes a due tick before the sender's ack goes out), and a quick person
  // may have begun the next card by then: the form empties only while it still
  // holds what was sent, so the next card's text is never wiped.
  var resetting = {};
  var sentText = {};  // cid -> the card text as sent
  document.addEventListener("htmx:wsConfigSend", function (evt) {
    var form = evt.target && evt.target.closest ? evt.target.closest("form") : null;
    var cid = evt.detail.parameters.cid;
    if (!form || !cid) return;
    if (form.hasAttribute("data-ideas-reset") || form.hasAttribute("data-dots")) {
      resetting[cid] = form;
      var text = form.querySelector("textarea");
      if (text) sentText[cid] = text.value;
    }
  });
  function typedSince(form, cid) {
    var text = form.querySelector("textarea");
    var sent = sentText[cid];
    delete sentText[cid];
    return !!text && sent !== undefined && text.value !== sent;
  }
  document.addEventListener("htmx:wsBeforeMessage", function (evt) {
    var text = evt.detail.message;
    if (typeof text !== "string" || text.charAt(0) !== "{") return;
    var msg;
    try { msg = JSON.parse(text); } catch (e) { return; }
    if (msg.type !== "ack" || !msg.cid || !resetting[msg.cid]) return;
    var form = resetting[msg.cid];
    if (!msg.ok && msg.reason === "store_unavailable") return;  // app.js resends it: wait for that ack
    delete resetting[msg.cid];
    // A live update may have replaced the form since it was sent (a card held
    // until the socket opened goes just before the page's first update): the
    // accepted card empties the form that is on the page now.
    if (!document.contains(form) && window.dialograumFormKeep) form = window.dialograumFormKeep.current(form) || form;
    var changed = typedSince(form, msg.cid);
    if (!msg.ok) return;
    if (form.hasAttribute("data-dots")) { form.dataset.dirty = ""; form.classList.add("voted"); say(form.getAttribute("data-saved") || "✓"); return; }
    if (changed) return;  // the next card is being written: keep it
    form.reset();
    var count = form.querySelector(".counter .count");
    if (count) count.textContent = "0";
    var details = form.closest("details");
    if (details) details.open = false;
  });

  // A replaced fragment takes the focus with it; give it back to the same card or zone.
  var focused = null;
  document.addEventListener("focusin", function (evt) {
    var t = evt.target;
    if (t.closest && t.closest("#console-ideas")) {
      focused = t.hasAttribute("data-idea") ? '[data-idea="' + t.getAttribute("data-idea") + '"]'
        : t.hasAttribute("data-drop") ? '[data-drop="' + t.getAttribute("data-drop") + '"][data-board="' + t.getAttribute("data-board") + '"]' : null;
    } else {
      focused = null;
    }
  });
  function refocus() {
    if (!focused || (document.activeElement && document.activeElement !== document.body)) return;
    var el = document.querySelector(focused);
    if (el) el.focus();
  }

  function afterSwap() {
    swapping = false;
    if (editing && !document.querySelector("[data-inline-editor]")) drawEditor();
    fillDots();
    refocus();
    if (held && !document.querySelector('[data-idea="' + held + '"]')) held = null;
    var card = held && document.querySelector('[data-idea="' + held + '"]');
    if (card) card.classList.add("held");
    if (drag && drag.started) {
      var dragged = document.querySelector('[data-idea="' + drag.id + '"]');
      if (dragged) dragged.classList.add("dragging");
    }
  }
  document.addEventListener("htmx:wsAfterMessage", afterSwap);
  document.addEventListener("DOMContentLoaded", afterSwap);
})();
