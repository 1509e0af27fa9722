/* Dashboard charts (ECharts, vendored). The page carries its data as JSON
   (#dashboard-data, #dashboard-labels); htmx swaps the body when the area or the period
   changes, and the charts are drawn again from the new JSON. Clicking a figure opens the
   case list behind it. */
(function () {
  "use strict";
  var charts = [];
  var RED = "#b71c1c", BLUE = "#2a4d8f", GREEN = "#1b7f3b", MUTED = "#5b6470", LINE = "#d9dde3";
  var FONT = '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", system-ui, sans-serif';

  function readJSON(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function make(id) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) return null;
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    charts.push(chart);
    return chart;
  }

  function go(params) {
    var url = params && params.data && params.data.url;
    if (url) window.location.href = url;
  }

  function esc(s) {
    return String(s).replace(/[&<>"]/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c];
    });
  }

  function trend(data, L) {
    var chart = make("chart-trend");
    if (!chart) return;
    var days = data.trend.map(function (d) { return d.day.slice(5); });
    chart.setOption({
      textStyle: { fontFamily: FONT },
      color: [RED, GREEN],
      grid: { left: 40, right: 16, top: 36, bottom: 28 },
      legend: { top: 0, right: 0, itemWidth: 14, data: [L.reported, L.closed] },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: days, axisLine: { lineStyle: { color: LINE } },
        axisLabel: { color: MUTED } },
      yAxis: { type: "value", minInterval: 1, splitLine: { lineStyle: { color: "#eef0f3" } },
        axisLabel: { color: MUTED } },
      series: [
        { name: L.reported, type: "line", smooth: 0.2, symbolSize: 5, areaStyle: { opacity: 0.08 },
          data: data.trend.map(function (d) { return { value: d.reported, url: d.url }; }) },
        { name: L.closed, type: "line", smooth: 0.2, symbolSize: 5,
          data: data.trend.map(function (d) { return { value: d.closed, url: d.url }; }) }
      ]
    });
    chart.on("click", go);
  }

  function categories(data, L) {
    var chart = make("chart-categories");
    if (!chart) return;
    var rows = data.categories.slice().reverse();
    chart.setOption({
      textStyle: { fontFamily: FONT },
      color: [RED, BLUE],
      grid: { left: 8, right: 36, top: 28, bottom: 8, containLabel: true },
      legend: { top: 0, right: 0, itemWidth: 14, data: [L.reported, L.open] },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "value", minInterval: 1, splitLine: { lineStyle: { color: "#eef0f3" } },
        axisLabel: { color: MUTED } },
      yAxis: { type: "category", data: rows.map(function (c) { return c.name; }),
        axisLine: { lineStyle: { color: LINE } }, axisLabel: { color: "#1f2328" } },
      series: [
        { name: L.reported, type: "bar", barMaxWidth: 14, label: { show: true, position: "right", color: MUTED },
          data: rows.map(function (c) { return { value: c.reported, url: c.url }; }) },
        { name: L.open, type: "bar", barMaxWidth: 14,
          data: rows.map(function (c) { return { value: c.open, url: c.url }; }) }
      ]
    });
    chart.on("click", go);
  }

  function geometry(boundary) {
    if (!boundary) return null;
    if (boundary.type === "Feature") return boundary.geometry;
    if (boundary.type === "FeatureCollection") return boundary.features.length ? boundary.features[0].geometry : null;
    return boundary;
  }

  function map(data, L) {
    var chart = make("chart-map");
    if (!chart) return;
    var features = [], values = [], names = [], max = 0;
    data.cells.forEach(function (c) {
      var g = geometry(c.boundary);
      if (!g) return;
      features.push({ type: "Feature", properties: { name: c.code }, geometry: g });
      values.push({ name: c.code, value: c.reported, title: c.name, open: c.open, url: c.url });
      if (c.reported > max) max = c.reported;
      // The grid's name at its centre (basemap.js finds it); names that collide are hidden.
      var at = window.JuliMap ? window.JuliMap.labelPoint(c.boundary) : null;
      if (at) names.push({ name: c.name, value: at });
    });
    var name = "juli-dashboard-" + (data.cells.length ? data.cells[0].code : "none");
    window.echarts.registerMap(name, { type: "FeatureCollection", features: features });
    // Rows [id, lng, lat, overdue, number, title]; the case URL is data.case_url with {id}.
    var points = data.points.map(function (p) {
      return { value: [p[1], p[2]], number: p[4], title: p[5], overdue: !!p[3],
        url: data.case_url.replace("{id}", String(p[0])),
        itemStyle: { color: p[3] ? RED : BLUE } };
    });
    chart.setOption({
      textStyle: { fontFamily: FONT },
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          var d = p.data || {};
          if (p.seriesType === "scatter") {
            return esc(d.number) + "<br>" + esc(d.title) + (d.overdue ? "<br><b style='color:" + RED + "'>" + esc(L.overdue) + "</b>" : "");
          }
          return "<b>" + esc(d.title || p.name) + "</b><br>" + esc(L.reported) + ": " + (d.value || 0) +
            "<br>" + esc(L.open) + ": " + (d.open || 0);
        }
      },
      visualMap: {
        type: "continuous", min: 0, max: Math.max(max, 1), seriesIndex: 0, calculable: false,
        orient: "horizontal", left: 8, bottom: 8, itemWidth: 10, itemHeight: 120,
        text: [String(Math.max(max, 1)), "0"], textStyle: { color: MUTED },
        inRange: { color: ["#fbf3ee", "#f6c9b4", "#ee8a6a", "#d84a35", "#9e1b1b"] }
      },
      geo: {
        map: name, roam: true, aspectScale: 0.86, layoutCenter: ["50%", "50%"], layoutSize: "95%",
        itemStyle: { borderColor: "#ffffff", borderWidth: 1, areaColor: "#f1f3f6" },
        emphasis: { itemStyle: { areaColor: "#ffd54f" }, label: { show: false } },
        label: { show: false }
      },
      series: [
        { type: "map", geoIndex: 0, data: values },
        { type: "scatter", coordinateSystem: "geo", symbolSize: 6, z: 3, data: points,
          itemStyle: { opacity: 0.85, borderColor: "#fff", borderWidth: 0.6 } },
        { type: "scatter", coordinateSystem: "geo", symbolSize: 0, z: 4, silent: true, data: names,
          label: { show: true, formatter: "{b}", color: "#5a1010", fontSize: 11, fontFamily: FONT,
            textBorderColor: "#fff", textBorderWidth: 2 },
          labelLayout: { hideOverlap: true }, tooltip: { show: false } }
      ]
    });
    chart.on("click", go);
  }

  function draw() {
    charts.forEach(function (c) { c.dispose(); });
    charts = [];
    var data = readJSON("dashboard-data"), L = readJSON("dashboard-labels");
    if (!data || !L || !window.echarts) return;
    trend(data, L);
    categories(data, L);
    map(data, L);
  }

  var resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () { charts.forEach(function (c) { c.resize(); }); }, 120);
  });
  document.addEventListener("htmx:afterSettle", function (e) {
    if (e.target && e.target.id === "dashboard") draw();
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
