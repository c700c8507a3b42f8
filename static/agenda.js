/* The agenda on the phone: the current phase's activities first, earlier ones folded.
 *
 * The server renders every activity's fragment in its usual place and the
 * agenda's own fragment (#phone-agenda) on top, naming the activities of the
 * current phase (data-now), of earlier phases (data-before) and only of later
 * ones (data-later). This script moves the fragments accordingly:
 * - the current phase's right below the agenda, full width;
 * - earlier ones into a folded "Vorher" (<details>), still reachable;
 * - later ones into a hidden box, except a person's own contributions
 *   (their cards, questions, places), which go to "Vorher" as well.
 * Live updates replace fragments by id wherever they are, so a moved
 * fragment stays where it was put; anything not named keeps its place.
 * Without JavaScript, or without an agenda, the page is as before.
 */
(function () {
  "use strict";
  // The phone fragments of each activity (rooms/*/activity.py), in page order.
  var PARTS = {
    polls: ["phone-polls", "phone-results"],
    ideas: ["phone-ideas", "phone-ideas-me", "phone-wall"],
    actions: ["phone-actions"],
    cafe: ["cafe-me"],
    qna: ["phone-qna", "phone-qna-me", "phone-qna-list"],
    speakers: ["phone-speakers-me", "phone-speakers"],
    surveys: ["event-surveys"]  // the surveys' addition (templates/surveys/phone_card.html)
  };
  var OWN = { "phone-ideas-me": 1, "phone-qna-me": 1, "phone-speakers-me": 1, "cafe-me": 1 };
  var marks = {};  // part id -> a comment where it stood, to put it back
  var scheduled = false;

  function words(el, name) {
    return (el.getAttribute(name) || "").split(" ").filter(Boolean);
  }

  function box(id, make) {
    var el = document.getElementById(id);
    if (!el) { el = make(); el.id = id; }
    return el;
  }

  var PARTS_ALL = {};
  Object.keys(PARTS).forEach(function (kind) { PARTS[kind].forEach(function (p) { PARTS_ALL[p] = 1; }); });

  function place(part, parent, reorder) {
    var el = document.getElementById(part);
    if (!el) return;
    if (!marks[part] && el.parentNode) {
      marks[part] = document.createComment("agenda:" + part);
      el.parentNode.insertBefore(marks[part], el);
    }
    if (parent) {
      if (reorder || el.parentNode !== parent) parent.appendChild(el);
    } else if (marks[part] && marks[part].nextSibling !== el) {
      marks[part].parentNode.insertBefore(el, marks[part].nextSibling);
    }
  }

  function layout() {
    scheduled = false;
    // Moving an element takes the focus away from a field inside it: note it, put it back.
    var active = document.activeElement;
    var caret = null;
    if (active && active.matches && active.matches("input, textarea")) {
      try { caret = [active.selectionStart, active.selectionEnd]; } catch (e) { caret = null; }
    }
    arrange();
    if (active && active !== document.activeElement && document.body.contains(active)) {
      var fold = active.closest("#agenda-before");
      if (fold) fold.open = true;  // someone typing there keeps their field in view
      active.focus({ preventScroll: true });
      if (caret) { try { active.setSelectionRange(caret[0], caret[1]); } catch (e) { /* not a text field */ } }
    }
  }

  function arrange() {
    var agenda = document.getElementById("phone-agenda");
    if (!agenda) return;
    if (!agenda.getAttribute("data-current")) {  // no phase running: every part in its place
      Object.keys(PARTS_ALL).forEach(function (p) { if (marks[p]) place(p, null); });
      ["agenda-now", "agenda-before", "agenda-later"].forEach(function (id) {
        var el = document.getElementById(id);
        if (el) el.hidden = true;
      });
      return;
    }
    var now = box("agenda-now", function () {
      var d = document.createElement("div");
      d.className = "agenda-now-parts";
      agenda.parentNode.insertBefore(d, agenda.nextSibling);
      return d;
    });
    if (now.previousElementSibling !== agenda) agenda.parentNode.insertBefore(now, agenda.nextSibling);
    now.hidden = false;
    var before = box("agenda-before", function () {
      var d = document.createElement("details");
      d.className = "agenda-before";
      var s = document.createElement("summary");
      s.textContent = agenda.getAttribute("data-before-label") || "Vorher";
      d.appendChild(s);
      now.parentNode.insertBefore(d, now.nextSibling);
      return d;
    });
    var later = box("agenda-later", function () {
      var d = document.createElement("div");
      d.hidden = true;
      before.parentNode.insertBefore(d, before.nextSibling);
      return d;
    });
    var where = {};
    words(agenda, "data-later").forEach(function (kind) {
      (PARTS[kind] || []).forEach(function (p) { where[p] = OWN[p] ? before : later; });
    });
    words(agenda, "data-before").forEach(function (kind) {
      (PARTS[kind] || []).forEach(function (p) { where[p] = before; });
    });
    words(agenda, "data-now").forEach(function (kind) {
      (PARTS[kind] || []).forEach(function (p) { where[p] = now; });
    });
    Object.keys(PARTS).forEach(function (kind) {
      PARTS[kind].forEach(function (p) { if (!where[p]) place(p, null); });
    });
    // Each box holds its parts in the order named (the phase's own order first).
    [now, before, later].forEach(function (target) {
      var wanted = [];
      words(agenda, "data-now").concat(words(agenda, "data-before"), words(agenda, "data-later"))
        .forEach(function (kind) {
          (PARTS[kind] || []).forEach(function (p) {
            if (where[p] === target && wanted.indexOf(p) < 0 && document.getElementById(p)) wanted.push(p);
          });
        });
      var have = Array.prototype.filter.call(target.children, function (el) { return el.id && PARTS_ALL[el.id]; })
        .map(function (el) { return el.id; });
      if (have.join(" ") !== wanted.join(" ")) wanted.forEach(function (p) { place(p, target, true); });
    });
    before.hidden = before.querySelectorAll("[id]").length === 0;
    order(agenda);
    document.body.setAttribute("data-agenda-phase", agenda.getAttribute("data-current") || "");
  }

  // Inside a part, the cards of single polls and boards: the phase's own first.
  var ITEMS = { "data-board": "board", "data-dots": "board", "data-poll": "poll", "data-closed-poll": "poll" };

  function order(agenda) {
    var now = words(agenda, "data-refs-now"), later = words(agenda, "data-refs-later");
    Object.keys(PARTS_ALL).forEach(function (p) {
      var part = document.getElementById(p);
      if (!part) return;
      var any = false;
      Object.keys(ITEMS).forEach(function (attr) {
        part.querySelectorAll(":scope > [" + attr + "]").forEach(function (el) {
          var ref = ITEMS[attr] + ":" + el.getAttribute(attr);
          var first = now.indexOf(ref) >= 0;
          el.style.order = first ? "-1" : "";
          el.classList.toggle("agenda-later-item", !first && later.indexOf(ref) >= 0);
          any = any || first;
        });
      });
      part.classList.toggle("agenda-ordered", any);
    });
  }

  function schedule() {
    if (scheduled) return;
    scheduled = true;
    setTimeout(layout, 0);
  }

  function start() {
    if (!document.getElementById("phone-agenda")) return;
    layout();
    new MutationObserver(function (records) {
      for (var i = 0; i < records.length; i++) {
        var added = records[i].addedNodes;
        for (var j = 0; j < added.length; j++) {
          if (added[j].id === "phone-agenda" || PARTS_ALL[added[j].id]) { schedule(); return; }
        }
      }
    }).observe(document.getElementById("live") || document.body, { childList: true, subtree: true });
  }

  // The projector's slide picture: fit the stage again once it has its size; a file
  // that is gone (deleted by retention) is hidden rather than shown broken.
  document.addEventListener("load", function (evt) {
    if (evt.target.matches && evt.target.matches("img.agenda-stage-image") && window.dialograumFit) window.dialograumFit();
  }, true);
  document.addEventListener("error", function (evt) {
    if (evt.target.matches && evt.target.matches("img.agenda-stage-image")) evt.target.hidden = true;
  }, true);

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
