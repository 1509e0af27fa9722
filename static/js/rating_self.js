/* The live total of a branch's self-assessment (rating app, self part): as the officer types
   points, the self score (out of 100 over the applicable criteria) and the stars it would
   give are recomputed with the rules of juli/rating/scoring.py (the server stays the
   authority: it recomputes on save and submit). */
(function () {
  "use strict";
  var total = document.getElementById("rating-total");
  if (!total) return;
  var thresholds = (total.getAttribute("data-thresholds") || "").split(",").map(Number);
  function recompute() {
    var points = 0, maximum = 0;
    document.querySelectorAll(".rating-row").forEach(function (row) {
      if (row.getAttribute("data-applicable") !== "1") return;
      maximum += Number(row.getAttribute("data-max"));
      var input = row.querySelector("input[data-rating-points]");
      var value = input ? input.value : row.getAttribute("data-points");
      if (value !== null && value !== "" && !isNaN(Number(value))) points += Number(value);
    });
    var score = maximum ? Math.round(10000 * points / maximum) / 100 : null;
    var stars = 0;
    thresholds.forEach(function (t, i) { if (score !== null && score >= t) stars = i + 1; });
    document.getElementById("rating-self-score").textContent = score === null ? "—" : score.toFixed(2);
    var s = document.getElementById("rating-self-stars");
    s.textContent = String(stars);
    s.setAttribute("data-stars", String(stars));
  }
  document.addEventListener("input", function (event) {
    if (event.target instanceof Element && event.target.matches("input[data-rating-points]")) recompute();
  });
})();
