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
    button.appendChild(title);
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
          if (added[j].id === "console-agenda") { schedule(); return; }
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
