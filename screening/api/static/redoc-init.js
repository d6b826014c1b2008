// ReDoc on /redoc, started from this file (no inline script: the page keeps its CSP).
window.addEventListener("load", function () {
  Redoc.init("/openapi.json", { disableSearch: true }, document.getElementById("redoc"));
});
