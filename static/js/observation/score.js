/* The observation score sheet on the phone (templates observation/field_score.html):
 * big − / + steppers for the five aspects (0–20), the running total, and the outbox builder
 * "observation_score", which refuses a score outside 0–20 at its field before anything is
 * queued (the server refuses it too: `actions.aspect_values`). No inline script (CSP). */
(function () {
  "use strict";
  const form = document.getElementById("score-form");
  if (!form) return;
  const inputs = Array.from(form.querySelectorAll(".obs-aspect input[type=number]"));
  const total = document.getElementById("score-total");

  function valueOf(input) {
    const text = input.value.trim();
    return /^[0-9]+$/.test(text) ? Number(text) : null;
  }

  function refresh() {
    total.textContent = String(inputs.reduce((sum, i) => sum + (valueOf(i) || 0), 0));
  }

  form.addEventListener("click", (event) => {
    const button = event.target.closest("button.step");
    if (!button) return;
    const input = document.getElementById(button.dataset.for);
    const max = Number(input.max);
    const now = valueOf(input);
    const next = (now === null ? (Number(button.dataset.step) > 0 ? 0 : max) : now + Number(button.dataset.step));
    input.value = String(Math.min(max, Math.max(0, next)));
    input.dispatchEvent(new Event("input", { bubbles: true }));
  });
  form.addEventListener("input", refresh);
  refresh();

  const Outbox = window.JuliOutbox;
  if (!Outbox) return;
  Outbox.builders.observation_score = function (el, tools) {
    const messages = JSON.parse(document.getElementById("field-messages").textContent);
    for (const input of inputs) {
      const value = valueOf(input);
      if (value === null || value < 0 || value > Number(input.max)) {
        throw new tools.FieldProblem(input, messages.score_range);
      }
    }
    return Outbox.builders.form(el, tools);
  };
})();
