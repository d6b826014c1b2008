// The menu on a phone: behind one "Menu" button (the WAI-ARIA disclosure pattern), so the page
// starts near the top of the screen instead of under seven rows of links. Served from /static
// (no inline script anywhere). Without JavaScript, or on a wider screen, the menu is always
// open and the button is not shown. The listeners sit on the document, and the button is shown
// again whenever the body is replaced (upload.js puts the receipt page's body in place of the
// form's), so the receipt keeps a working menu.
(function () {
  "use strict";

  function parts() {
    return { button: document.getElementById("menu-toggle"),
             panel: document.getElementById("menu-panel") };
  }

  function show(open) {
    var p = parts();
    if (!p.button || !p.panel) { return; }
    p.button.setAttribute("aria-expanded", open ? "true" : "false");
    p.panel.classList.toggle("open", open);
  }

  function setUp() {
    var p = parts();
    if (!p.button || !p.panel) { return; }
    document.documentElement.classList.add("js-menu");
    p.button.hidden = false;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("#menu-toggle");
    if (button) { show(button.getAttribute("aria-expanded") !== "true"); }
  });
  document.addEventListener("keydown", function (event) {
    var p = parts();
    if (event.key === "Escape" && p.panel && p.panel.contains(event.target)
        && p.button.getAttribute("aria-expanded") === "true") {
      show(false);
      p.button.focus();
    }
  });
  setUp();
  new MutationObserver(setUp).observe(document.documentElement, { childList: true });
}());
