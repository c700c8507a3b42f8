// The survey builder (templates/surveys/builder.html). Works without this script:
// it only asks before a deletion (buttons with data-confirm) and moves the focus to
// the list of problems after a refused form, so a screen reader reads it first.
(function () {
  "use strict";
  document.addEventListener("submit", function (evt) {
    var button = evt.submitter;
    var question = button && button.getAttribute("data-confirm");
    if (question && !window.confirm(question)) evt.preventDefault();
  });
  var problems = document.getElementById("fehler");
  if (problems) problems.focus();
})();
