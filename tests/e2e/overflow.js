() => {
  // The overflow check of tests/e2e/overflow.py, evaluated in the page.
  const W = window.innerWidth, H = window.innerHeight, found = [];
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + (typeof el.className === "string" && el.className ? "." + el.className.trim().split(/\s+/).join(".") : "");
  for (const el of document.body.querySelectorAll("*")) {
    if (el.closest("[hidden]")) continue;
    const style = getComputedStyle(el);
    if (style.display === "none" || style.visibility === "hidden") continue;
    const r = el.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1) continue;  // visually hidden helpers
    if (r.left < -1 || r.top < -1 || r.right > W + 1 || r.bottom > H + 1) {
      found.push(`${name(el)} at ${Math.round(r.left)},${Math.round(r.top)}–${Math.round(r.right)},${Math.round(r.bottom)} `
        + `outside ${W}×${H}: "${(el.innerText || "").slice(0, 40)}"`);
      continue;
    }
    const hides = ["hidden", "clip"].includes(style.overflowY) || ["hidden", "clip"].includes(style.overflowX);
    const clamped = style.webkitLineClamp !== "none" || style.textOverflow === "ellipsis";
    if (hides && !clamped && (el.scrollHeight > el.clientHeight + 2 || el.scrollWidth > el.clientWidth + 2)) {
      found.push(`${name(el)} cuts its content: ${el.scrollWidth}×${el.scrollHeight} in ${el.clientWidth}×${el.clientHeight}`);
    }
  }
  return found;
}
