/* Report downloads with progress: a PDF of a big event takes seconds, so the
   button says that it is working (and for how long) instead of looking dead.
   Without JavaScript the links are plain downloads. */
(function () {
  "use strict";
  document.addEventListener("click", function (evt) {
    var link = evt.target.closest && evt.target.closest("a[data-busy]");
    if (!link || !window.fetch || !window.URL || link.getAttribute("aria-busy") === "true") return;
    evt.preventDefault();
    var label = link.textContent;
    var started = Date.now();
    link.setAttribute("aria-busy", "true");
    var tick = function () {
      link.textContent = link.dataset.busy + " " + Math.round((Date.now() - started) / 1000) + " s";
    };
    tick();
    var timer = setInterval(tick, 1000);
    var done = function () {
      clearInterval(timer);
      link.textContent = label;
      link.removeAttribute("aria-busy");
    };
    fetch(link.href, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          return response.text().then(function (text) { throw new Error(text || response.status); });
        }
        var disposition = response.headers.get("Content-Disposition") || "";
        var match = /filename="([^"]+)"/.exec(disposition);
        return response.blob().then(function (blob) { return [blob, match ? match[1] : "report"]; });
      })
      .then(function (got) {
        var url = URL.createObjectURL(got[0]);
        var a = document.createElement("a");
        a.href = url;
        a.download = got[1];
        document.body.appendChild(a);
        a.click();
        a.remove();
        setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
        done();
      })
      .catch(function (err) {
        done();
        window.alert(String(err.message || err));
      });
  });
})();
