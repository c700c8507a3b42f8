/* The projector never overflows: the stage's content is fitted to the viewport.
 *
 * A screen is 1920×1080 in one hall and 1024×768 in the next, and what it shows
 * grows while it is shown (a fifth option, a 100-character topic, 300 cards).
 * Nothing may fall off it, and nothing scrolls. After every swap and resize:
 *
 * 1. Lists that can show fewer items ([data-fit-items], e.g. the card wall)
 *    first drop their last items until the stage fits at full size, down to
 *    data-fit-floor items; "+ N more" ([data-fit-more]) counts what is left
 *    out. Fewer, larger cards read better from 20 m than many small ones.
 *    Before that, a picture that may be smaller ([data-fit-shrink], a slide's
 *    image) is lowered to the largest height that fits, down to its floor.
 * 2. If it still does not fit, the whole content is zoomed down (--fit on the
 *    stage, read by `.stage > *` in screen.css), binary-searched between 1 and
 *    a floor that keeps the main text at about 28 px at 1080p.
 * 3. Word clouds ([data-cloud]) lay out their words on a spiral in the space
 *    left to them, sizes proportional to the counts within a range, shrinking
 *    until every word fits and dropping the rarest words only if the smallest
 *    would become unreadable.
 *
 * Everything is measured, nothing is guessed, so the same code serves every
 * view; the e2e helper tests/e2e/overflow.py checks the result at four sizes.
 */
(function () {
  "use strict";
  var MIN_FIT = 0.6;
  var fitted = 0;

  function unit() {
    // 1 % of the width, or of a 16:9 width on a taller screen (4:3 projectors).
    return Math.min(window.innerWidth / 100, window.innerHeight * 16 / 9 / 100);
  }

  function overflows(stage) {
    return stage.scrollHeight > stage.clientHeight + 1 || stage.scrollWidth > stage.clientWidth + 1;
  }

  function setFit(stage, value) { stage.style.setProperty("--fit", String(value)); }

  function showItems(list, count) {
    var items = list.querySelectorAll("[data-fit-item]");
    items.forEach(function (item, i) { item.hidden = i >= count; });
    var more = list.parentNode.querySelector("[data-fit-more]");
    if (!more) return;
    var rest = parseInt(more.getAttribute("data-rest") || "0", 10) + Math.max(0, items.length - count);
    more.hidden = rest === 0;
    more.textContent = (rest === 1 ? more.getAttribute("data-one") : more.getAttribute("data-many") || "")
      .replace("{n}", String(rest));
  }

  function fitItems(stage) {
    stage.querySelectorAll("[data-fit-items]").forEach(function (list) {
      var total = list.querySelectorAll("[data-fit-item]").length;
      var floor = Math.min(total, parseInt(list.getAttribute("data-fit-floor") || "1", 10));
      showItems(list, total);
      if (!overflows(stage)) return;
      var lo = floor, hi = total;  // the largest count that fits, at least the floor
      while (lo < hi) {
        var mid = Math.ceil((lo + hi) / 2);
        showItems(list, mid);
        if (overflows(stage)) hi = mid - 1; else lo = mid;
      }
      showItems(list, lo);
    });
  }

  // Pictures that may be smaller ([data-fit-shrink]: their largest height in vh,
  // data-fit-shrink-floor the smallest): the largest height at which the stage fits.
  function fitShrink(stage) {
    stage.querySelectorAll("[data-fit-shrink]").forEach(function (el) {
      var top = parseFloat(el.getAttribute("data-fit-shrink")) || 60;
      var lo = parseFloat(el.getAttribute("data-fit-shrink-floor") || "10"), hi = top;
      el.style.maxHeight = top + "vh";
      if (!overflows(stage)) return;
      for (var i = 0; i < 8; i++) {
        var mid = (lo + hi) / 2;
        el.style.maxHeight = mid + "vh";
        if (overflows(stage)) hi = mid; else lo = mid;
      }
      el.style.maxHeight = lo + "vh";
    });
  }

  function fitZoom(stage) {
    setFit(stage, 1);
    if (!overflows(stage)) return;
    var floor = parseFloat(stage.getAttribute("data-fit-min") || String(MIN_FIT));
    var lo = floor, hi = 1;
    for (var i = 0; i < 9; i++) {
      var mid = (lo + hi) / 2;
      setFit(stage, mid);
      if (overflows(stage)) hi = mid; else lo = mid;
    }
    setFit(stage, lo);
  }

  // --- word cloud --------------------------------------------------------------
  function overlaps(a, b) {
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
  }

  function tryPlace(words, sizes, width, height) {
    var placed = [];
    var gap = 0.12;
    for (var i = 0; i < words.length; i++) {
      var el = words[i];
      el.style.fontSize = sizes[i] + "px";
      var w = el.offsetWidth, h = el.offsetHeight;
      if (w > width || h > height) return null;
      var pad = sizes[i] * gap, spot = null;
      for (var t = 0; t < 60 * Math.PI && !spot; t += 0.09) {
        var r = t * sizes[words.length - 1] * 0.12;
        var x = width / 2 + r * Math.cos(t) * (width / height) - w / 2;
        var y = height / 2 + r * Math.sin(t) - h / 2;
        if (x < 0 || y < 0 || x + w > width || y + h > height) continue;
        var box = { x: x - pad, y: y - pad / 2, w: w + 2 * pad, h: h + pad };
        var free = true;
        for (var j = 0; j < placed.length && free; j++) free = !overlaps(box, placed[j]);
        if (free) spot = { x: x, y: y, w: w, h: h, box: box };
      }
      if (!spot) return null;
      placed.push(spot.box);
      el.style.left = spot.x + "px";
      el.style.top = spot.y + "px";
    }
    return placed;
  }

  function layoutCloud(cloud) {
    var words = Array.prototype.slice.call(cloud.querySelectorAll("[data-count]"));
    words.forEach(function (el) { el.hidden = false; });
    cloud.classList.add("laid-out");
    var width = cloud.clientWidth, height = cloud.clientHeight;
    if (!words.length || width < 10 || height < 10) return;
    var minPx = 1.45 * unit();  // about 28 px at 1080p: readable from 20 m
    while (words.length) {
      var counts = words.map(function (el) { return parseInt(el.getAttribute("data-count"), 10) || 1; });
      var top = Math.max.apply(null, counts), low = Math.min.apply(null, counts);
      var scale = Math.min(height / 2.2, width / 4);
      for (var attempt = 0; attempt < 40; attempt++) {
        var sizes = counts.map(function (c) {
          var share = top === low ? 1 : (c - low) / (top - low);
          return scale * (0.4 + 0.6 * Math.sqrt(share));
        });
        if (sizes[sizes.length - 1] < minPx) break;
        if (tryPlace(words, sizes, width, height)) return;
        scale *= 0.9;
      }
      words.pop().hidden = true;  // the rarest word makes room: never unreadably small
    }
  }

  function fitAll() {
    var stage = document.getElementById("stage");
    if (!stage) return;
    var clouds = stage.querySelectorAll("[data-cloud]");
    clouds.forEach(function (c) { c.classList.remove("laid-out"); });
    fitShrink(stage);  // a picture gives way first, down to its floor,
    fitItems(stage);   // then lists drop their last items,
    fitShrink(stage);  // (the picture takes back what dropped items left)
    fitZoom(stage);    // then everything is zoomed down.
    clouds.forEach(layoutCloud);
    fitted += 1;
    stage.setAttribute("data-fitted", String(fitted));  // tests wait for a new fit
    stage.setAttribute("data-fitted-size", window.innerWidth + "x" + window.innerHeight);
  }

  var pending = null;
  function soon() {
    if (pending) cancelAnimationFrame(pending);
    pending = requestAnimationFrame(function () { pending = null; fitAll(); });
  }
  document.addEventListener("htmx:wsAfterMessage", fitAll);
  document.addEventListener("DOMContentLoaded", fitAll);
  window.addEventListener("resize", soon);
  if (document.fonts && document.fonts.ready) document.fonts.ready.then(fitAll);
  window.dialograumFit = fitAll;  // for tests and for the console's preview
})();
