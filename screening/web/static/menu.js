// The menu on a phone: behind one "Menu" button (the WAI-ARIA disclosure pattern), so the page
// starts near the top of the screen instead of under seven rows of links. Served from /static
// (no inline script anywhere). Without JavaScript, or on a wider screen, the menu is always
// open and the button is not shown.
(function () {
  "use strict";
  var button = document.getElementById("menu-toggle");
  var panel = document.getElementById("menu-panel");
  if (!button || !panel) { return; }
  document.documentElement.classList.add("js-menu");
  button.hidden = false;

  function show(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    panel.classList.toggle("open", open);
  }

  button.addEventListener("click", function () {
    show(button.getAttribute("aria-expanded") !== "true");
  });
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
      show(false);
      button.focus();
    }
  });
}());
