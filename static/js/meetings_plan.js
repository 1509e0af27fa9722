/* "My meetings": the copy button of the calendar address (shown only where the clipboard
   can be written; without it the address is selected text to copy by hand). */
(function () {
  "use strict";
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var source = document.querySelector(button.getAttribute("data-copy"));
    if (!source || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.value).then(function () {
        button.textContent = button.getAttribute("data-copied");
      });
    });
  });
  document.querySelectorAll("input[data-copy-source]").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });
})();
