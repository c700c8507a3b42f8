/* Phone details that make taking part calm and clear.
 *
 * - name fields count their characters against the limit (data-limit-counter
 *   names the counter's id), so nobody learns about the limit after sending;
 * - "Join in" on an action fills in the name the person already gave;
 * - an action the person joined says so on its own card (and the "Join in"
 *   button goes), also after a reload: the personal fragment lists the joined
 *   actions, the shared one marks them;
 * - a poll that closes while the phone shows its ballot leaves a note
 *   ("Voting has closed") instead of vanishing without a word.
 */
(function () {
  "use strict";

  function count(el) {
    var box = document.getElementById(el.getAttribute("data-limit-counter"));
    var n = box && box.querySelector(".count");
    if (n) n.textContent = String(el.value.length);
  }
  document.addEventListener("input", function (evt) {
    if (evt.target.matches && evt.target.matches("[data-limit-counter]")) count(evt.target);
  });

  function myName() {
    var me = document.getElementById("me");
    return me ? me.getAttribute("data-name") || "" : "";
  }
  document.addEventListener("toggle", function (evt) {
    var details = evt.target;
    if (details.tagName !== "DETAILS" || !details.classList.contains("join-action") || !details.open) return;
    var field = details.querySelector('input[name="name"]');
    if (field && !field.value) field.value = myName();
  }, true);

  function markJoined() {
    var joined = {};
    document.querySelectorAll("[data-joined-action]").forEach(function (el) {
      joined[el.getAttribute("data-joined-action")] = el.getAttribute("data-joined-text");
    });
    document.querySelectorAll(".action-card[data-action]").forEach(function (card) {
      var id = card.getAttribute("data-action");
      var note = card.querySelector(".joined-here");
      card.classList.toggle("joined", id in joined);
      if (id in joined) {
        if (!note) {
          note = document.createElement("p");
          note.className = "joined-here";
          note.setAttribute("role", "status");
          card.appendChild(note);
        }
        note.textContent = "✓ " + joined[id];
      } else if (note) {
        note.remove();
      }
    });
  }

  var openPolls = {};   // poll id -> true while its ballot is on this phone
  var closedHere = {};  // polls that closed while this phone showed them
  function noteClosedPolls() {
    document.querySelectorAll("[data-closed-poll]").forEach(function (el) {
      var id = el.getAttribute("data-closed-poll");
      if (openPolls[id] && !closedHere[id]) {
        closedHere[id] = true;
        if (window.dialograumAnnounce) window.dialograumAnnounce(el.getAttribute("data-announce"));
      }
      el.hidden = !closedHere[id];
    });
    openPolls = {};
    document.querySelectorAll("form[data-poll]").forEach(function (form) { openPolls[form.getAttribute("data-poll")] = true; });
  }

  function afterSwap() {
    document.querySelectorAll("[data-limit-counter]").forEach(count);
    markJoined();
    noteClosedPolls();
  }
  document.addEventListener("htmx:wsAfterMessage", afterSwap);
  document.addEventListener("DOMContentLoaded", afterSwap);
})();
