/* Form behaviours that the templates declare with data attributes. The Content-Security-Policy
   runs no inline script and no inline event handler (onclick=, onchange=, onsubmit=), so
   every page gets them from this file instead:
   - data-autosubmit on a field: changing it submits its form (filters, the language);
   - data-navigate on a <select>: changing it opens the chosen option's value (a URL);
   - data-confirm="question" on a form or on its submit button: asks before submitting;
   - data-once on a submit button: disabled once its form is submitted (no double posts). */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (!(field instanceof Element)) return;
    if (field.hasAttribute("data-autosubmit") && field.form) {
      field.form.submit();
    } else if (field.matches("select[data-navigate]") && field.value) {
      window.location.href = field.value;
    }
  });
  // Capturing, so that a refused confirmation stops the submission before any other
  // listener (htmx's) sees it.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    var button = event.submitter;
    var question = (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopPropagation();
      return;
    }
    form.querySelectorAll("button[data-once]").forEach(function (b) {
      setTimeout(function () { b.disabled = true; }, 0);
    });
  }, true);
})();
