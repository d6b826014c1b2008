// Wide tables scroll sideways inside their ".scroll" box (on a phone, most do). A box that
// scrolls becomes one Tab stop, named after its table, so a keyboard can scroll it too
// (WCAG 2.1.1; axe-core's "scrollable-region-focusable"); a box that fits adds no Tab stop.
// Served from /static (no inline script anywhere); without JavaScript, Chromium and Firefox
// make a scrolling box focusable themselves.
(function () {
  "use strict";

  function nameOf(box) {
    var table = box.querySelector("table");
    var caption = table && table.querySelector("caption");
    if (caption && caption.textContent.trim()) { return caption.textContent.trim(); }
    if (table && table.getAttribute("aria-label")) { return table.getAttribute("aria-label"); }
    var node = box;
    while (node) {  // the nearest heading before the box
      var previous = node.previousElementSibling;
      while (previous) {
        var heading = /^H[1-4]$/.test(previous.tagName) ? previous
          : previous.querySelector && previous.querySelector("h1, h2, h3, h4");
        if (heading && heading.textContent.trim()) { return heading.textContent.trim(); }
        previous = previous.previousElementSibling;
      }
      node = node.parentElement;
    }
    return document.title;
  }

  function mark() {
    var boxes = document.querySelectorAll(".scroll");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      if (box.scrollWidth > box.clientWidth + 1) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", nameOf(box));
      } else if (box.getAttribute("tabindex") === "0") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    }
  }

  var waiting = null;
  function later() {
    if (waiting) { window.clearTimeout(waiting); }
    waiting = window.setTimeout(mark, 100);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mark);
  } else {
    mark();
  }
  window.addEventListener("resize", later);
  // the upload form puts the receipt page's body in place of its own (upload.js)
  new MutationObserver(mark).observe(document.documentElement, { childList: true });
}());
