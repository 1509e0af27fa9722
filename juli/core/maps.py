"""The base map: which tile source the maps draw under the area outlines, from settings.

`tile_config()` is what the browser gets (through `{% juli_map_config %}`, a json_script read
by static/js/basemap.js); `tile_origins()` is what the Content-Security-Policy must let in as
images (juli/core/csp.py adds them to img-src). Both read the settings on every call, so
`override_settings` in a test changes them, and cost a few string operations.

Sources (config/settings.py explains the environment variables):

- ``tianditu``: 天地图's vector map and its annotation layer (vec_w, cva_w) in Web Mercator.
  CGCS2000 differs from WGS-84 by centimetres: positions are drawn as stored.
- ``amap``: 高德's webrd tiles. They are drawn in GCJ-02, the offset datum every map published
  in mainland China must use; Juli stores WGS-84 (what phones' GPS gives), so the browser
  shifts every position and outline by `JuliMap.wgs84ToGcj02` before drawing.
- ``osm``: an OpenStreetMap tile server (WGS-84), URL template from JULI_MAP_TILE_URL.
- ``custom``: a self-hosted tile server, URL template from JULI_MAP_TILE_URL, its datum from
  JULI_MAP_COORDS.
- empty or ``none``: no tiles; the outlines and names are drawn on a plain background.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

TIANDITU = (
    "https://t{s}.tianditu.gov.cn/%(layer)s_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER=%(layer)s&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
    "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=%(key)s"
)
TIANDITU_SUBDOMAINS = "01234567"
AMAP = "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}"
AMAP_SUBDOMAINS = "1234"
ATTRIBUTIONS = {
    "tianditu": "© 天地图",
    "amap": "© 高德地图",
    "osm": "© OpenStreetMap contributors",
}
KINDS = ("tianditu", "amap", "osm", "custom")


def tile_kind() -> str:
    """The configured source, or "" for none (also for an incomplete configuration, which
    settings refuse at start but `override_settings` could still make)."""
    kind = str(getattr(settings, "JULI_MAP_TILES", "") or "").strip().lower()
    if kind not in KINDS:
        return ""
    if kind == "tianditu" and not settings.JULI_MAP_KEY:
        return ""
    if kind in {"osm", "custom"} and not settings.JULI_MAP_TILE_URL:
        return ""
    return kind


def tile_layers() -> list[dict[str, Any]]:
    """The tile layers, bottom first: `url` (a Leaflet URL template), `subdomains` (the
    values of {s}) and `attribution` (on the first layer only)."""
    kind = tile_kind()
    attribution = settings.JULI_MAP_ATTRIBUTION or ATTRIBUTIONS.get(kind, "")
    if kind == "tianditu":
        key = quote(settings.JULI_MAP_KEY, safe="")
        return [
            {
                "url": TIANDITU % {"layer": layer, "key": key},
                "subdomains": list(TIANDITU_SUBDOMAINS),
                "attribution": attribution if layer == "vec" else "",
            }
            for layer in ("vec", "cva")
        ]
    if kind == "amap":
        return [{"url": AMAP, "subdomains": list(AMAP_SUBDOMAINS), "attribution": attribution}]
    if kind in {"osm", "custom"}:
        return [
            {
                "url": settings.JULI_MAP_TILE_URL,
                "subdomains": list(settings.JULI_MAP_SUBDOMAINS or "abc"),
                "attribution": attribution,
            }
        ]
    return []


def tile_coords() -> str:
    """The datum the tiles are drawn in: "gcj02" (高德, or a custom server that says so) or
    "wgs84"."""
    kind = tile_kind()
    if kind == "amap" or (kind == "custom" and settings.JULI_MAP_COORDS == "gcj02"):
        return "gcj02"
    return "wgs84"


def tile_config() -> dict[str, Any]:
    """What static/js/basemap.js reads from `#juli-map-config`."""
    return {
        "tiles": tile_kind(),
        "coords": tile_coords(),
        "maxZoom": int(settings.JULI_MAP_MAX_ZOOM),
        "layers": tile_layers(),
        "labels": {
            "outlines": _("Area outlines"),
            "points": _("Points"),
            "cases": _("Cases"),
            "tilesFailed": _("The base map could not be loaded: the outlines are drawn alone."),
            "nothing": _("Nothing here has a position yet, so there is no map to draw."),
        },
    }


def tile_origins() -> list[str]:
    """The origins the tile images come from, for img-src: one per subdomain, in order.
    A URL on Juli's own host (a relative template) needs none."""
    origins: list[str] = []
    for layer in tile_layers():
        for sub in layer["subdomains"] or [""]:
            parts = urlsplit(layer["url"].replace("{s}", sub))
            if parts.scheme not in {"http", "https"} or not parts.netloc:
                continue
            if "{" in parts.netloc:
                logger.warning(
                    "Map tile host %r has a placeholder: img-src names it not.", parts.netloc
                )
                continue
            origin = f"{parts.scheme}://{parts.netloc}"
            if origin not in origins:
                origins.append(origin)
    return origins
