/* The console follows the phase: panels the running phase does not show are folded.
 *
 * Each activity's panel carries its activity (data-activity) and title
 * (data-title); the agenda's live part (#console-agenda) names the running
 * phase (data-current) and the activities it shows (data-now). While a phase
 * runs, a panel of another activity folds to one line, a button that opens
 * it with one click (and folds it again). The people and the agenda never
 * fold, and nothing folds before the agenda starts or when it has no phases.
 *
 * What the moderator opened stays open for the rest of that phase: live
 * updates replace fragments inside the panels, never the panels, and the
 * choice is kept per phase in sessionStorage, so neither a vote nor a reload
 * folds it again. The next phase starts from its own defaults. A panel that
 * holds the focus (someone typing there) is never folded under them, and a
 * link to a folded panel (the navigation) or the "N" key (new poll) opens it.
 *
 * The console is arranged around the phase, so a facilitator never scrolls to
 * find what is happening now: the panels of the running phase come first in
 * the main area (moved once per phase, never under someone typing), the
 * panels kept open next, the folded ones last, each one line with its key
 * number. The section navigation at the top (sticky) shows the same key
 * numbers (each live part's data-badge: questions waiting, speakers on the
 * list, votes in) and marks the panels of this phase; a link opens a folded
 * panel and jumps to it. While a phase runs, the agenda's table shows the
 * running phase and the next one; "all phases" shows the rest (kept per tab).
 *
 * The same script scales the console's screen preview and fills in the slide
 * image upload (both below).
 */
(function () {
  "use strict";
  var KEEP = { lobby: 1, agenda: 1 };
  var store = "dg-console-open:" + location.pathname;
  var opened = {};  // panel id -> the phase it was opened in
  try { opened = JSON.parse(sessionStorage.getItem(store) || "{}") || {}; } catch (e) { opened = {}; }
  var scheduled = false;

  function save() {
    try { sessionStorage.setItem(store, JSON.stringify(opened)); } catch (e) { /* private mode */ }
  }

  function words(el, name) {
    return ((el && el.getAttribute(name)) || "").split(" ").filter(Boolean);
  }

  function bar(panel, agenda) {
    var button = panel.querySelector(":scope > .fold-bar");
    if (button) return button;
    button = document.createElement("button");
    button.type = "button";
    button.className = "fold-bar";
    button.setAttribute("aria-controls", panel.id);
    var title = document.createElement("strong");
    title.textContent = panel.getAttribute("data-title") || panel.id;
    var note = document.createElement("span");
    note.className = "fold-note";
    var key = document.createElement("span");
    key.className = "fold-key";
    key.hidden = true;
    button.appendChild(title);
    button.appendChild(document.createTextNode(" "));
    button.appendChild(key);
    button.appendChild(document.createTextNode(" "));
    button.appendChild(note);
    button.addEventListener("click", function () {
      var current = (document.getElementById("console-agenda") || agenda).getAttribute("data-current") || "";
      if (panel.classList.contains("folded")) opened[panel.id] = current;
      else delete opened[panel.id];
      save();
      arrange();
    });
    panel.insertBefore(button, panel.firstChild);
    return button;
  }

  // The key number of each panel (its live part's data-badge) into the navigation and
  // the fold bar; the panels of this phase marked in the navigation.
  function badges(now) {
    var nav = document.querySelector(".console-nav");
    var nowLabel = nav ? nav.getAttribute("data-now-label") || "" : "";
    document.querySelectorAll("section.panel[id]").forEach(function (panel) {
      var source = panel.querySelector("[data-badge]");
      var text = source ? source.getAttribute("data-badge") || "" : "";
      var state = source ? source.getAttribute("data-badge-state") || "" : "";
      var link = nav && nav.querySelector('a[data-panel="' + panel.id + '"]');
      var isNow = now.indexOf(panel.getAttribute("data-activity")) >= 0;
      if (link) {
        // The navigation stays one row: a number there for this phase's panels, the
        // ones that never fold and anything that needs the moderator; the rest in their bars.
        var shown = text && (isNow || KEEP[panel.getAttribute("data-activity")] || state === "attention" || state === "live" || !now.length);
        var badge = link.querySelector(".nav-badge");
        if (badge.textContent !== text) badge.textContent = text;
        badge.hidden = !shown;
        badge.className = "nav-badge" + (state ? " " + state : "");
        link.classList.toggle("now", isNow);
        link.classList.toggle("is-folded", panel.classList.contains("folded"));
        link.querySelector(".nav-now").textContent = isNow ? " (" + nowLabel + ")" : "";
      }
      var key = panel.querySelector(":scope > .fold-bar .fold-key");
      if (key) {
        key.textContent = text;
        key.hidden = !text;
        key.className = "fold-key" + (state ? " " + state : "");
      }
    });
  }

  // The running phase's panels first, then those that never fold, then the ones
  // opened by hand, the folded ones last. Once per phase (and on the first load):
  // a panel never moves under a live update, and the focus stays where it was.
  var orderedFor = null;
  function reorder(current, now) {
    if (orderedFor === current) return;
    orderedFor = current;
    var main = document.querySelector(".console-main");
    if (!main) return;
    main.classList.toggle("by-phase", !!current);  // console.css: folded bars fill the gaps
    var panels = Array.prototype.slice.call(main.querySelectorAll(":scope > section.panel[data-activity]"));
    panels.forEach(function (panel, i) { if (!panel.hasAttribute("data-order")) panel.setAttribute("data-order", String(i)); });
    var rank = function (panel) {
      var kind = panel.getAttribute("data-activity");
      if (!current) return 0;  // no phase runs: the page's own order (the event's format first)
      if (now.indexOf(kind) >= 0) return 0;
      if (KEEP[kind]) return 1;
      return panel.classList.contains("folded") ? 3 : 2;
    };
    var sorted = panels.map(function (p) { return [rank(p), parseInt(p.getAttribute("data-order"), 10), p]; })
      .sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; })
      .map(function (x) { return x[2]; });
    if (sorted.every(function (p, i) { return p === panels[i]; })) return;
    var focused = document.activeElement;
    sorted.forEach(function (panel) { main.appendChild(panel); });
    if (focused && focused !== document.body && document.activeElement !== focused) focused.focus({ preventScroll: true });
  }

  // While a phase runs, the agenda's table shows it and the next phase; "all phases" the rest.
  var allPhases = false;
  try { allPhases = sessionStorage.getItem(store + ":all-phases") === "1"; } catch (e) { allPhases = false; }
  function agendaCompact(current) {
    var panel = document.getElementById("agenda-panel");
    var agenda = document.getElementById("console-agenda");
    if (!panel || !agenda) return;
    var rows = agenda.querySelectorAll(".agenda-table tbody tr").length;
    var compact = !!current && !allPhases && rows > 2;
    panel.classList.toggle("agenda-compact", compact);
    var toggle = document.getElementById("agenda-all-phases");
    if (!toggle && current && rows > 2) {
      toggle = document.createElement("button");
      toggle.type = "button";
      toggle.id = "agenda-all-phases";
      toggle.className = "button quiet small agenda-all-phases";
      toggle.setAttribute("aria-controls", "console-agenda");
      toggle.addEventListener("click", function () {
        allPhases = !allPhases;
        try { sessionStorage.setItem(store + ":all-phases", allPhases ? "1" : "0"); } catch (e) { /* private mode */ }
        arrange();
      });
      var forms = panel.querySelector(".agenda-editor");
      panel.insertBefore(toggle, forms || null);
    }
    if (!toggle) return;
    toggle.hidden = !current || rows <= 2;
    toggle.setAttribute("aria-expanded", compact ? "false" : "true");
    toggle.textContent = (compact ? agenda.getAttribute("data-all-phases") : agenda.getAttribute("data-few-phases")) || "";
  }

  // The running phase and its countdown in the navigation, so the clock stays in view.
  // A copy of the agenda's (cafe.js ticks every [data-ends-at]); the agenda's own is
  // the one screen readers hear.
  function navPhase(agenda) {
    var chip = document.querySelector(".console-nav .nav-phase");
    if (!chip) return;
    var now = agenda && agenda.querySelector(".agenda-now");
    var title = now && now.querySelector("strong");
    var clock = now && now.querySelector(".countdown");
    chip.hidden = !title;
    if (!title) return;
    var name = document.createElement("span");
    name.className = "nav-phase-title";
    name.textContent = title.textContent;
    chip.textContent = "";
    chip.appendChild(name);
    if (clock) {
      var copy = clock.cloneNode(true);
      copy.removeAttribute("role");
      copy.setAttribute("aria-hidden", "true");
      chip.appendChild(document.createTextNode(" "));
      chip.appendChild(copy);
    }
  }

  function arrange() {
    scheduled = false;
    var agenda = document.getElementById("console-agenda");
    var current = agenda ? agenda.getAttribute("data-current") || "" : "";
    var now = words(agenda, "data-now");
    var focused = document.activeElement;
    document.querySelectorAll("section.panel[data-activity]").forEach(function (panel) {
      var kind = panel.getAttribute("data-activity");
      var other = current && !KEEP[kind] && now.indexOf(kind) < 0;
      var existing = panel.querySelector(":scope > .fold-bar");
      if (!other) {
        panel.classList.remove("folded");
        if (existing) existing.hidden = true;
        return;
      }
      var fold = opened[panel.id] !== current;
      if (fold && focused && focused !== document.body && panel.contains(focused)) fold = false;
      var button = bar(panel, agenda);
      button.hidden = false;
      panel.classList.toggle("folded", fold);
      button.setAttribute("aria-expanded", fold ? "false" : "true");
      button.querySelector(".fold-note").textContent =
        agenda.getAttribute(fold ? "data-fold-open" : "data-fold-close") || "";
    });
    agendaCompact(current);
    navPhase(agenda);
    reorder(current, current ? now : []);
    badges(current ? now : []);
  }

  function schedule() {
    if (scheduled) return;
    scheduled = true;
    setTimeout(arrange, 0);
  }

  function openPanel(panel) {
    if (!panel || !panel.classList.contains("folded")) return;
    var agenda = document.getElementById("console-agenda");
    opened[panel.id] = agenda ? agenda.getAttribute("data-current") || "" : "";
    save();
    arrange();
  }

  function openFor(hash) {
    openPanel(hash && hash.length > 1 ? document.getElementById(hash.slice(1)) : null);
  }

  // "N" (app.js: a new poll) opens the poll editor: its panel unfolds first, before
  // app.js puts the focus into the editor (this listener runs earlier, on window).
  window.addEventListener("keydown", function (evt) {
    if (evt.ctrlKey || evt.metaKey || evt.altKey || (evt.key || "").toLowerCase() !== "n") return;
    var tag = (evt.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select") return;
    var editor = document.getElementById("poll-editor");
    openPanel(editor && editor.closest("section.panel"));
  }, true);

  function start() {
    if (!document.querySelector("section.panel[data-activity]")) return;
    arrange();
    openFor(location.hash);
    window.addEventListener("hashchange", function () { openFor(location.hash); });
    document.addEventListener("click", function (evt) {
      var link = evt.target.closest && evt.target.closest('a[href^="#"]');
      if (link) openFor(link.getAttribute("href"));
    });
    new MutationObserver(function (records) {
      for (var i = 0; i < records.length; i++) {
        var added = records[i].addedNodes;
        for (var j = 0; j < added.length; j++) {
          if (added[j].id === "console-agenda" || (added[j].hasAttribute && added[j].hasAttribute("data-badge"))) {
            schedule();
            return;
          }
        }
      }
    }).observe(document.getElementById("live") || document.body, { childList: true, subtree: true });
  }

  // A phase's slide image: the buttons in each phase's "Edit" fill in the page's one
  // upload form (outside the live part, with the form token) and send it.
  document.addEventListener("click", function (evt) {
    var button = evt.target.closest && evt.target.closest("[data-slide-upload], [data-slide-remove]");
    var form = document.getElementById("slide-upload");
    if (!button || !form) return;
    var remove = button.hasAttribute("data-slide-remove");
    form.elements.phase.value = button.getAttribute(remove ? "data-slide-remove" : "data-slide-upload");
    form.elements.remove.value = remove ? "1" : "";
    form.elements.image.value = "";
    if (remove) form.submit();
    else form.elements.image.click();
  });
  document.addEventListener("change", function (evt) {
    var form = document.getElementById("slide-upload");
    if (form && evt.target === form.elements.image && evt.target.files.length) form.submit();
  });

  // The screen preview: the projector's page at 1280×720, scaled to its box.
  function scalePreview() {
    document.querySelectorAll("[data-screen-preview]").forEach(function (box) {
      if (box.clientWidth) box.style.setProperty("--preview-scale", String(box.clientWidth / 1280));
    });
  }
  window.addEventListener("resize", scalePreview);
  // A folded preview lets its page go (and with it a screen connection and its renders).
  document.addEventListener("toggle", function (evt) {
    var box = evt.target;
    if (!box.matches || !box.matches("details.screen-preview-box")) return;
    var frame = box.querySelector("iframe");
    if (!frame) return;
    if (!frame.getAttribute("data-src")) frame.setAttribute("data-src", frame.getAttribute("src"));
    if (box.open) {
      if (frame.getAttribute("src") !== frame.getAttribute("data-src")) frame.setAttribute("src", frame.getAttribute("data-src"));
      scalePreview();
    } else {
      frame.setAttribute("src", "about:blank");
    }
  }, true);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", scalePreview);
  else scalePreview();

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
