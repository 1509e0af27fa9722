/* Starts Redoc on the API's reference page (juli/api/templates/api/redoc.html): a file, since
   the Content-Security-Policy runs no inline script. */
(function () {
  "use strict";
  var container = document.getElementById("redoc-container");
  if (!container || !window.Redoc) return;
  window.Redoc.init(container.dataset.specUrl, {}, container);
})();
