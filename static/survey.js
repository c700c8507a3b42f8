// Surveys: hide a question while the answer it depends on (in the same section) does
// not call for it, and select the resume link on focus. The form works without this.
(function () {
  "use strict";
  var form = document.querySelector(".survey-form");
  function chosen(name) {
    var values = [];
    form.querySelectorAll('[name="' + name + '"]').forEach(function (el) {
      if ((el.type === "radio" || el.type === "checkbox") ? el.checked : el.value) values.push(el.value);
    });
    return values;
  }
  function update() {
    form.querySelectorAll("[data-show-if]").forEach(function (box) {
      var wanted = box.getAttribute("data-one-of").split(" ");
      var have = chosen(box.getAttribute("data-show-if"));
      var show = have.some(function (v) { return wanted.indexOf(v) >= 0; });
      var target = document.getElementById("q-" + box.getAttribute("data-show-if"));
      if (target && target.hidden) show = false;
      box.hidden = !show;
    });
  }
  if (form) {
    form.addEventListener("change", update);
    update();
  }
  document.querySelectorAll("[data-select-on-focus]").forEach(function (el) {
    el.addEventListener("focus", function () { el.select(); });
  });
  var summary = document.getElementById("errors");
  if (summary) summary.focus();
})();
