// Main menu groups (<details>): one open at a time; a click elsewhere or Escape closes it.
(function () {
  "use strict";
  var groups = function () { return document.querySelectorAll("details.navgroup"); };
  document.addEventListener("toggle", function (event) {
    var opened = event.target;
    if (!opened.matches || !opened.matches("details.navgroup") || !opened.open) return;
    groups().forEach(function (g) { if (g !== opened) g.open = false; });
  }, true);
  document.addEventListener("click", function (event) {
    groups().forEach(function (g) { if (g.open && !g.contains(event.target)) g.open = false; });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") groups().forEach(function (g) { g.open = false; });
  });
})();
