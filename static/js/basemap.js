/* The base map under Juli's maps (window.JuliMap), shared by casemap.js and the point maps.

   The tile source comes from the server as JSON (#juli-map-config, written by the template
   tag {% juli_map_config %} from the JULI_MAP_* settings; juli/core/maps.py). Without one, or
   when the tiles fail to load, the map is a plain light background on which the area
   outlines and their names are drawn: never an empty grey canvas.

   Positions in Juli are WGS-84 (what a phone's GPS gives). 高德 (and a custom server that
   says so) draws in GCJ-02, the offset datum of maps published in mainland China, so every
   position and outline is shifted by wgs84ToGcj02 before drawing there. */
(function () {
  "use strict";

  /* --- WGS-84 → GCJ-02 --------------------------------------------------------------------
     The published transform (Krasovsky 1940 ellipsoid, the polynomial offsets of GCJ-02);
     outside mainland China's box positions are left as they are, as every GCJ-02 map does. */
  var PI = Math.PI, AXIS = 6378245.0, EE = 0.00669342162296594323;

  function outOfChina(lng, lat) {
    return lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271;
  }
  function offsetLat(x, y) {
    var r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    r += (20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0 / 3.0;
    r += (20.0 * Math.sin(y * PI) + 40.0 * Math.sin(y / 3.0 * PI)) * 2.0 / 3.0;
    r += (160.0 * Math.sin(y / 12.0 * PI) + 320.0 * Math.sin(y * PI / 30.0)) * 2.0 / 3.0;
    return r;
  }
  function offsetLng(x, y) {
    var r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    r += (20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0 / 3.0;
    r += (20.0 * Math.sin(x * PI) + 40.0 * Math.sin(x / 3.0 * PI)) * 2.0 / 3.0;
    r += (150.0 * Math.sin(x / 12.0 * PI) + 300.0 * Math.sin(x / 30.0 * PI)) * 2.0 / 3.0;
    return r;
  }
  /* [lng, lat] in WGS-84 → [lng, lat] in GCJ-02. */
  function wgs84ToGcj02(lng, lat) {
    if (outOfChina(lng, lat)) { return [lng, lat]; }
    var dLat = offsetLat(lng - 105.0, lat - 35.0);
    var dLng = offsetLng(lng - 105.0, lat - 35.0);
    var radLat = lat / 180.0 * PI;
    var magic = Math.sin(radLat);
    magic = 1 - EE * magic * magic;
    var sqrtMagic = Math.sqrt(magic);
    dLat = (dLat * 180.0) / ((AXIS * (1 - EE)) / (magic * sqrtMagic) * PI);
    dLng = (dLng * 180.0) / (AXIS / sqrtMagic * Math.cos(radLat) * PI);
    return [lng + dLng, lat + dLat];
  }

  var NONE = { tiles: "", coords: "wgs84", maxZoom: 18, layers: [], labels: {} };

  function config() {
    var el = document.getElementById("juli-map-config");
    if (!el) { return NONE; }
    try { return JSON.parse(el.textContent) || NONE; } catch (e) { return NONE; }
  }

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, function (ch) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[ch];
    });
  }

  /* The outer ring of the largest polygon of a GeoJSON object, as [[lng, lat], …]. */
  function mainRing(geo) {
    var best = null, bestArea = -1;
    function polygon(rings) {
      if (!rings || !rings.length) { return; }
      var a = Math.abs(ringArea(rings[0]));
      if (a > bestArea) { best = rings[0]; bestArea = a; }
    }
    function walk(g) {
      if (!g) { return; }
      if (g.type === "FeatureCollection") { g.features.forEach(walk); }
      else if (g.type === "Feature") { walk(g.geometry); }
      else if (g.type === "GeometryCollection") { g.geometries.forEach(walk); }
      else if (g.type === "Polygon") { polygon(g.coordinates); }
      else if (g.type === "MultiPolygon") { g.coordinates.forEach(polygon); }
    }
    walk(geo);
    return best;
  }
  function ringArea(ring) {
    var s = 0;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      s += (ring[j][0] * ring[i][1]) - (ring[i][0] * ring[j][1]);
    }
    return s / 2;
  }
  function inside(ring, x, y) {
    var hit = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > y) !== (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) { hit = !hit; }
    }
    return hit;
  }
  /* Where a polygon's name goes: its centroid, or the middle of its box when the centroid
     falls outside (an L-shaped grid). [lng, lat] in the data's datum, or null. */
  function labelPoint(geo) {
    var ring = mainRing(geo);
    if (!ring || ring.length < 3) { return null; }
    var a = ringArea(ring), cx = 0, cy = 0;
    if (Math.abs(a) > 1e-14) {
      for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        var f = ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1];
        cx += (ring[j][0] + ring[i][0]) * f;
        cy += (ring[j][1] + ring[i][1]) * f;
      }
      cx /= 6 * a; cy /= 6 * a;
      if (inside(ring, cx, cy)) { return [cx, cy]; }
    }
    var xs = ring.map(function (p) { return p[0]; }), ys = ring.map(function (p) { return p[1]; });
    return [(Math.min.apply(null, xs) + Math.max.apply(null, xs)) / 2,
      (Math.min.apply(null, ys) + Math.max.apply(null, ys)) / 2];
  }

  var KIND_RANK = { building_group: 0, micro_grid: 1, community: 2, street: 3, district: 4 };

  /* One map on `el`: JuliMap.create(el) → a view with the Leaflet map and helpers that
     draw Juli's (WGS-84) data in the tiles' datum. */
  function create(el, options) {
    var L = window.L, cfg = config(), opts = options || {};
    var gcj = cfg.coords === "gcj02" && cfg.layers.length > 0;
    var map = L.map(el, {
      attributionControl: cfg.layers.length > 0, zoomSnap: 0.25, maxZoom: cfg.maxZoom || 18
    });
    if (map.attributionControl) { map.attributionControl.setPrefix(false); }
    el.classList.add("juli-map");
    L.control.scale({ imperial: false, position: "bottomleft" }).addTo(map);
    // Above the outlines (overlayPane, 400): the names and point squares, then the cases,
    // so that a case on a point is never hidden under the point's square.
    map.createPane("juliNames").style.zIndex = 450;
    map.createPane("juliCases").style.zIndex = 460;
    var caseRenderer = L.svg({ pane: "juliCases" });
    var labels = [];          // {marker, rank, bounds (LatLngBounds or null)}
    var tiles = [];

    function project(lat, lng) {
      if (!gcj) { return L.latLng(lat, lng); }
      var p = wgs84ToGcj02(lng, lat);
      return L.latLng(p[1], p[0]);
    }
    function coordsToLatLng(c) { return project(c[1], c[0]); }
    function geoJSON(data, layerOptions) {
      var o = layerOptions || {};
      o.coordsToLatLng = coordsToLatLng;
      return L.geoJSON(data, o);
    }

    function plain(failed) {
      el.classList.remove("has-tiles");
      el.classList.add("plain");
      if (failed) {
        el.classList.add("tiles-failed");
        tiles.forEach(function (t) { map.removeLayer(t); });
        tiles = [];
        if (cfg.labels.tilesFailed) {
          var note = L.control({ position: "topright" });
          note.onAdd = function () {
            var d = L.DomUtil.create("div", "map-note");
            d.setAttribute("role", "status");
            d.textContent = cfg.labels.tilesFailed;
            return d;
          };
          note.addTo(map);
        }
        declutter();
      }
    }

    if (cfg.layers.length) {
      el.classList.add("has-tiles");
      var loaded = 0, errors = 0, given = false, timer = null;
      var check = function () {
        timer = null;
        // Nothing came, or more failed than came: the source is down or the key refused.
        if (!given && errors && (loaded === 0 || errors > loaded)) { given = true; plain(true); }
      };
      cfg.layers.forEach(function (l, i) {
        var t = L.tileLayer(l.url, {
          subdomains: l.subdomains && l.subdomains.length ? l.subdomains : "abc",
          attribution: l.attribution || "", maxZoom: cfg.maxZoom || 18, maxNativeZoom: 18,
          className: "juli-tiles juli-tiles-" + i
        });
        t.on("tileload", function () { loaded += 1; });
        t.on("tileerror", function () {
          errors += 1;
          if (!timer) { timer = setTimeout(check, 400); }
        });
        t.addTo(map);
        tiles.push(t);
      });
    } else {
      plain(false);
    }

    /* A name on the map: a div marker, centred; `rank` orders who wins a collision (lower
       first), `bounds` (optional) is what the name stands for: it shows only when that
       is wide enough on screen to hold it. */
    function label(latlng, text, cls, rank, bounds, layer) {
      var m = L.marker(latlng, {
        icon: L.divIcon({
          className: "map-label " + (cls || ""), iconSize: null,
          html: "<span>" + escapeHtml(text) + "</span>"
        }),
        interactive: false, keyboard: false, pane: "juliNames"
      });
      m.addTo(layer || map);
      labels.push({ marker: m, rank: rank, bounds: bounds || null });
      return m;
    }

    /* Area outlines with their names at the polygon centres. areas: [{name, kind,
       boundary}]. Returns the layer group (outlines and names). */
    function areas(list, style) {
      var group = L.featureGroup();
      list.forEach(function (a) {
        var shape;
        try {
          shape = geoJSON(a.boundary, { style: function () { return style(a); } });
        } catch (e) { return; } // an area with a broken boundary is left out
        shape.bindTooltip(escapeHtml(a.name), { sticky: true });
        shape.addTo(group);
        var at = labelPoint(a.boundary);
        if (at) {
          var rank = KIND_RANK[a.kind] !== undefined ? KIND_RANK[a.kind] : 2;
          label(project(at[1], at[0]), a.name, "area-label kind-" + (a.kind || "area"), rank,
            shape.getBounds(), group);
        }
      });
      return group;
    }

    /* Hide the names that do not fit: an area's name when its area is narrower on screen
       than the name, then any name that overlaps one already shown (points first, then
       finer areas, then coarser). */
    function declutter() {
      var kept = [];
      var zoom = map.getZoom();
      el.dataset.zoom = String(Math.round(zoom));
      el.classList.toggle("zoom-far", zoom < 14);
      el.classList.toggle("zoom-near", zoom >= 16);
      labels.slice().sort(function (x, y) { return x.rank - y.rank; }).forEach(function (l) {
        var node = l.marker.getElement();
        if (!node || !map.hasLayer(l.marker)) { return; }
        var span = node.firstChild;
        node.classList.remove("crowded");
        var r = span.getBoundingClientRect();
        if (!r.width) { return; } // hidden by CSS at this zoom (point names far out)
        var fits = true;
        if (l.bounds) {
          var nw = map.latLngToContainerPoint(l.bounds.getNorthWest());
          var se = map.latLngToContainerPoint(l.bounds.getSouthEast());
          fits = (se.x - nw.x) >= r.width * 0.9 && (se.y - nw.y) >= r.height * 1.2;
        }
        for (var i = 0; fits && i < kept.length; i++) {
          var k = kept[i];
          if (r.left < k.right + 2 && r.right > k.left - 2 && r.top < k.bottom + 1 && r.bottom > k.top - 1) { fits = false; }
        }
        if (fits) { kept.push(r); } else { node.classList.add("crowded"); }
      });
    }
    var pending = null;
    function later() { if (pending) { cancelAnimationFrame(pending); } pending = requestAnimationFrame(function () { pending = null; declutter(); }); }
    map.on("zoomend moveend overlayadd overlayremove resize", later);

    /* Points (点位) as small squares; their names show from zoom 16 on. */
    function points(list) {
      var group = L.featureGroup();
      list.forEach(function (p) {
        if (p.lat === null || p.lng === null || p.lat === undefined) { return; }
        var mk = L.marker(project(p.lat, p.lng), {
          icon: L.divIcon({
            className: "point-pin" + (p.current ? " current" : ""), iconSize: [10, 10], iconAnchor: [5, 5],
            html: ""
          }),
          title: p.name, keyboard: false, pane: "juliNames"
        });
        if (p.url) { mk.bindPopup('<a href="' + escapeHtml(p.url) + '">' + escapeHtml(p.name) + "</a>"); }
        else { mk.bindTooltip(escapeHtml(p.name)); }
        mk.addTo(group);
        // Rank -1: where a point's name shows at all (zoom 16 on), it wins over an area's.
        label(project(p.lat, p.lng), p.name, "point-label" + (p.current ? " current" : ""), -1, null, group);
      });
      return group;
    }

    /* Fit the view to what is drawn; false when nothing has a position. */
    /* A case as a coloured circle, above everything else. */
    function caseMarker(lat, lng, style) {
      var o = {}, k;
      for (k in style) { if (Object.prototype.hasOwnProperty.call(style, k)) { o[k] = style[k]; } }
      o.pane = "juliCases";
      o.renderer = caseRenderer;
      return L.circleMarker(project(lat, lng), o);
    }

    function fit(group, maxZoom) {
      if (!group.getLayers().length) { return false; }
      var b = group.getBounds();
      if (!b.isValid()) { return false; }
      map.fitBounds(b, { padding: [16, 16], maxZoom: maxZoom || 17 });
      later();
      return true;
    }

    if (opts.onReady) { opts.onReady(map); }
    return {
      map: map, config: cfg, project: project, geoJSON: geoJSON, areas: areas, points: points,
      label: label, caseMarker: caseMarker, fit: fit, declutter: later, escapeHtml: escapeHtml
    };
  }

  /* Instead of a map: a clear sentence where nothing has a position. */
  function nothing(el, text) {
    var cfg = config();
    el.classList.add("map-nothing");
    el.innerHTML = "";
    var p = document.createElement("p");
    p.className = "empty";
    p.textContent = text || cfg.labels.nothing || "";
    el.appendChild(p);
  }

  window.JuliMap = {
    config: config, create: create, nothing: nothing, wgs84ToGcj02: wgs84ToGcj02,
    labelPoint: labelPoint, escapeHtml: escapeHtml
  };
})();
