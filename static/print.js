// The print button of the poster, table cards and assignment lists. A file, not
// onclick="…": the Content-Security-Policy refuses inline scripts.
document.addEventListener("click", function (evt) {
  if (evt.target.closest("[data-print]")) window.print();
});
