/* Case maps without a tile server: Leaflet draws the grid polygons (Area.boundary GeoJSON)
   and the cases as coloured circles. Nothing is fetched from outside Juli. */
(function () {
  "use strict";
  if (!window.L) { return; }
  var COLOURS = {
    reported: "#5b6470", accepted: "#2a4d8f", dispatched: "#9a6700",
    rectified: "#6a3fb5", verified: "#1b7f3b", overdue: "#b71c1c"
  };
  function read(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  function newMap(el) {
    return L.map(el, { attributionControl: false, zoomSnap: 0.25, preferCanvas: false });
  }
  function areaStyle() {
    return { color: "#b71c1c", weight: 1.5, opacity: 0.7, fillColor: "#fdecea", fillOpacity: 0.35 };
  }
  function colourOf(c) { return c.overdue ? COLOURS.overdue : (COLOURS[c.status] || "#5b6470"); }
  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, function (ch) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[ch];
    });
  }

  /* The small map on a case page. */
  var mini = document.getElementById("case-minimap");
  if (mini) {
    var pos = read("case-position");
    var boundary = read("case-boundary");
    var m = newMap(mini);
    var group = L.featureGroup().addTo(m);
    if (boundary) { try { L.geoJSON(boundary, { style: areaStyle }).addTo(group); } catch (e) { /* bad GeoJSON: skip */ } }
    L.circleMarker([pos.lat, pos.lng], { radius: 8, color: "#fff", weight: 2, fillColor: "#b71c1c", fillOpacity: 1 }).addTo(group);
    if (boundary && group.getLayers().length > 1) { m.fitBounds(group.getBounds(), { padding: [12, 12], maxZoom: 18 }); }
    else { m.setView([pos.lat, pos.lng], 17); }
  }

  /* The map of open cases. */
  var big = document.getElementById("case-map");
  if (!big) { return; }
  var map = newMap(big);
  var list = document.getElementById("case-map-list");
  var summary = document.getElementById("case-map-summary");
  var markers = {};
  fetch(big.dataset.source, { credentials: "same-origin", headers: { "Accept": "application/json" } })
    .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
    .then(function (data) {
      var all = L.featureGroup().addTo(map);
      data.areas.forEach(function (a) {
        try {
          L.geoJSON(a.boundary, { style: areaStyle }).bindTooltip(escapeHtml(a.name), { sticky: true }).addTo(all);
        } catch (e) { /* an area with a broken boundary is left out */ }
      });
      var placed = 0;
      list.innerHTML = "";
      data.cases.forEach(function (c) {
        var li = document.createElement("li");
        li.className = "map-item" + (c.overdue ? " overdue" : "");
        li.innerHTML = '<span class="dot" style="background:' + colourOf(c) + '"></span>' +
          '<a href="' + escapeHtml(c.url) + '">' + escapeHtml(c.number) + "</a> " + escapeHtml(c.title) +
          '<div class="pathline">' + escapeHtml(c.area) + " · " + escapeHtml(c.category) + " · " +
          escapeHtml(c.overdue ? big.dataset.overdueLabel : c.status_label) + "</div>";
        if (c.lat !== null && c.lng !== null) {
          var mk = L.circleMarker([c.lat, c.lng], {
            radius: c.overdue ? 8 : 6, color: "#fff", weight: 1.5, fillColor: colourOf(c), fillOpacity: 0.95
          }).bindPopup('<a href="' + escapeHtml(c.url) + '">' + escapeHtml(c.number) + "</a><br>" + escapeHtml(c.title)).addTo(all);
          markers[c.id] = mk;
          placed += 1;
          li.addEventListener("mouseenter", function () { mk.setStyle({ radius: 11 }); });
          li.addEventListener("mouseleave", function () { mk.setStyle({ radius: c.overdue ? 8 : 6 }); });
          li.addEventListener("click", function (ev) {
            if (ev.target.tagName === "A") { return; }
            map.setView([c.lat, c.lng], Math.max(map.getZoom(), 17)); mk.openPopup();
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
      if (all.getLayers().length) { map.fitBounds(all.getBounds(), { padding: [16, 16], maxZoom: 17 }); }
      else { map.setView([31.2, 121.47], 12); big.classList.add("nothing"); }
      if (!placed) { big.dataset.nothing = "1"; }
    })
    .catch(function () { summary.textContent = big.dataset.errorLabel; });
})();
