/* Meetings: the presider's sign-in screen and the printable code.
 *
 * The QR code itself is drawn by the server (SVG) and refreshed by htmx polling
 * (#signin-live, hx-trigger="every 5s"); this script only offers full screen
 * (button[data-fullscreen="<selector>"]) and printing (button[data-print]).
 */
(function () {
  "use strict";
  document.addEventListener("click", (event) => {
    const full = event.target.closest("[data-fullscreen]");
    if (full) {
      const target = document.querySelector(full.dataset.fullscreen) || document.documentElement;
      if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
      else if (target.requestFullscreen) target.requestFullscreen().catch(() => {});
      return;
    }
    if (event.target.closest("[data-print]")) window.print();
  });
})();
