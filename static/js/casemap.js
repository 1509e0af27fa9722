/* Case maps on the base map of basemap.js (JuliMap): the grid polygons (Area.boundary
   GeoJSON) with their names, the points (点位) as small squares, the cases as coloured
   circles. Tiles come from the configured source only (JULI_MAP_TILES); without one nothing
   is fetched from outside Juli. */
(function () {
  "use strict";
  if (!window.L || !window.JuliMap) { return; }
  var COLOURS = {
    reported: "#5b6470", accepted: "#2a4d8f", dispatched: "#9a6700",
    rectified: "#6a3fb5", verified: "#1b7f3b", overdue: "#b71c1c"
  };
  var WEIGHT = { district: 2.5, street: 2.5, community: 2, micro_grid: 1.5, building_group: 1 };
  var escapeHtml = window.JuliMap.escapeHtml;
  // Over a base map the grids are barely tinted, so that its streets show through.
  var TINT = window.JuliMap.config().layers.length ? 0.12 : 0.3;
  function read(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  function areaStyle(a) {
    var kind = a && a.kind;
    return {
      color: "#b71c1c", weight: WEIGHT[kind] || 1.5, opacity: 0.7, fillColor: "#fdecea",
      fillOpacity: kind === "micro_grid" || kind === "building_group" || !kind ? TINT : 0.06,
      dashArray: kind === "building_group" ? "3 3" : null
    };
  }
  function colourOf(c) { return c.overdue ? COLOURS.overdue : (COLOURS[c.status] || "#5b6470"); }

  /* The small map on a case page: the area, the point's pin, the case. */
  var mini = document.getElementById("case-minimap");
  if (mini) {
    var pos = read("case-position");
    var boundary = read("case-boundary");
    var area = read("case-area");
    var point = read("case-point");
    var v = window.JuliMap.create(mini);
    var group = L.featureGroup().addTo(v.map);
    if (boundary) {
      v.areas([{ name: area ? area.name : "", kind: area ? area.kind : "", boundary: boundary }], areaStyle).addTo(group);
    }
    if (point && point.lat !== null) { v.points([{ name: point.name, lat: point.lat, lng: point.lng, current: true }]).addTo(group); }
    v.caseMarker(pos.lat, pos.lng, { radius: 8, color: "#fff", weight: 2, fillColor: "#b71c1c", fillOpacity: 1 }).addTo(group);
    if (group.getLayers().length > 1) { v.fit(group, 18); }
    else { v.map.setView(v.project(pos.lat, pos.lng), 17); v.declutter(); }
  }

  /* The map of open cases. */
  var big = document.getElementById("case-map");
  if (!big) { return; }
  var list = document.getElementById("case-map-list");
  var summary = document.getElementById("case-map-summary");
  fetch(big.dataset.source, { credentials: "same-origin", headers: { "Accept": "application/json" } })
    .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
    .then(function (data) {
      var placedCases = data.cases.filter(function (c) { return c.lat !== null && c.lng !== null; });
      var placedPoints = (data.points || []).filter(function (p) { return p.lat !== null && p.lng !== null; });
      var view = null, map = null;
      if (data.areas.length || placedCases.length || placedPoints.length) {
        view = window.JuliMap.create(big);
        map = view.map;
      } else {
        window.JuliMap.nothing(big, big.dataset.nothingLabel);
      }
      var outlines = view ? view.areas(data.areas, areaStyle) : null;
      var pins = view ? view.points(placedPoints) : null;
      var cases = view ? L.featureGroup() : null;
      list.innerHTML = "";
      data.cases.forEach(function (c) {
        var li = document.createElement("li");
        li.className = "map-item" + (c.overdue ? " overdue" : "");
        li.innerHTML = '<span class="dot" style="background:' + colourOf(c) + '"></span>' +
          '<a href="' + escapeHtml(c.url) + '">' + escapeHtml(c.number) + "</a> " + escapeHtml(c.title) +
          '<div class="pathline">' + escapeHtml(c.area) + " · " + escapeHtml(c.category) + " · " +
          escapeHtml(c.overdue ? big.dataset.overdueLabel : c.status_label) + "</div>";
        if (view && c.lat !== null && c.lng !== null) {
          var at = view.project(c.lat, c.lng);
          var mk = view.caseMarker(c.lat, c.lng, {
            radius: c.overdue ? 8 : 6, color: "#fff", weight: 1.5, fillColor: colourOf(c), fillOpacity: 0.95
          }).bindPopup('<a href="' + escapeHtml(c.url) + '">' + escapeHtml(c.number) + "</a><br>" + escapeHtml(c.title)).addTo(cases);
          li.addEventListener("mouseenter", function () { mk.setStyle({ radius: 11 }); });
          li.addEventListener("mouseleave", function () { mk.setStyle({ radius: c.overdue ? 8 : 6 }); });
          li.addEventListener("click", function (ev) {
            if (ev.target.tagName === "A") { return; }
            if (!map.hasLayer(cases)) { cases.addTo(map); }
            map.setView(at, Math.max(map.getZoom(), 17)); mk.openPopup();
          });
        } else {
          li.classList.add("no-position");
        }
        list.appendChild(li);
      });
      if (!data.cases.length) {
        list.innerHTML = '<li class="empty">' + escapeHtml(big.dataset.emptyLabel) + "</li>";
      }
      var parts = [];
      Object.keys(data.counts).forEach(function (s) {
        if (data.counts[s]) { parts.push('<span class="badge st-' + s + '">' + escapeHtml(data.labels[s]) + " " + data.counts[s] + "</span>"); }
      });
      if (data.overdue) { parts.push('<span class="badge st-overdue">' + escapeHtml(big.dataset.overdueLabel) + " " + data.overdue + "</span>"); }
      var head = escapeHtml(big.dataset.totalLabel) + " " + data.total;
      if (data.truncated) { head += " · " + escapeHtml(big.dataset.shownLabel) + " " + data.shown; }
      summary.innerHTML = "<strong>" + head + "</strong> " + parts.join(" ");
      if (!view) { big.dataset.nothing = "1"; return; }
      outlines.addTo(map);
      pins.addTo(map);
      cases.addTo(map);
      var names = view.config.labels || {};
      var overlays = {};
      overlays[escapeHtml(names.outlines || "Outlines")] = outlines;
      overlays[escapeHtml(names.points || "Points")] = pins;
      overlays[escapeHtml(names.cases || "Cases")] = cases;
      L.control.layers(null, overlays, { collapsed: true }).addTo(map);
      var everything = L.featureGroup([outlines, pins, cases]);
      view.fit(everything, 17);
      if (!placedCases.length) { big.dataset.nothing = "1"; }
    })
    .catch(function () { summary.textContent = big.dataset.errorLabel; });
})();
