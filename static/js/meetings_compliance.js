/* Meeting compliance charts (ECharts, vendored): held against required per kind, and the
   attendance rate per organisation. The data comes as JSON in #mc-chart-data. */
(function () {
  "use strict";
  var RED = "#b71c1c", GREEN = "#1b7f3b", MUTED = "#5b6470", LINE = "#d9dde3";
  var FONT = '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", system-ui, sans-serif';

  function draw() {
    var source = document.getElementById("mc-chart-data");
    if (!source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    var L = data.labels;
    var axis = { axisLine: { lineStyle: { color: LINE } }, axisLabel: { color: MUTED } };
    var kinds = document.getElementById("mc-chart-kinds");
    if (kinds) {
      var a = window.echarts.init(kinds);
      a.setOption({
        textStyle: { fontFamily: FONT }, color: ["#c9ced6", GREEN],
        grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
        legend: { top: 0, right: 0, data: [L.required, L.held] },
        tooltip: { trigger: "axis" },
        xAxis: Object.assign({ type: "category", data: data.kinds }, axis,
          { axisLabel: { color: MUTED, interval: 0, rotate: data.kinds.length > 3 ? 30 : 0, width: 90, overflow: "truncate" } }),
        yAxis: Object.assign({ type: "value", minInterval: 1 }, axis),
        series: [
          { name: L.required, type: "bar", data: data.required, barGap: "10%" },
          { name: L.held, type: "bar", data: data.held }
        ]
      });
      window.addEventListener("resize", function () { a.resize(); });
    }
    var rates = document.getElementById("mc-chart-rates");
    if (rates) {
      var b = window.echarts.init(rates);
      b.setOption({
        textStyle: { fontFamily: FONT }, color: [RED],
        grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
        tooltip: { trigger: "axis" },
        xAxis: Object.assign({ type: "category", data: data.orgs }, axis,
          { axisLabel: { color: MUTED, interval: 0, rotate: data.orgs.length > 4 ? 30 : 0 } }),
        yAxis: Object.assign({ type: "value", min: 0, max: 100 }, axis),
        series: [{ name: L.rate, type: "bar", data: data.rates }]
      });
      window.addEventListener("resize", function () { b.resize(); });
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
