"""The base map's configuration: environment → settings → the JSON the maps read, and the
tile hosts in the Content-Security-Policy's img-src only when a source is configured.

The browser side (labels on the plain map, tiles drawn, the GCJ-02 transform) is
juli/cases/tests/test_browser_basemap.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from juli.core import maps

ROOT = Path(__file__).resolve().parents[3]

PROBE = """
import json
import django
django.setup()
from django.utils import translation
from juli.core import maps
translation.activate("en")
print(json.dumps({"config": maps.tile_config(), "origins": maps.tile_origins()}))
"""

TIANDITU_VEC = (
    "https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
    "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=abc123"
)
AMAP = (
    "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
    "&x={x}&y={y}&z={z}"
)
LABELS = {
    "outlines": "Area outlines",
    "points": "Points",
    "cases": "Cases",
    "tilesFailed": "The base map could not be loaded: the outlines are drawn alone.",
    "nothing": "Nothing here has a position yet, so there is no map to draw.",
}


def _probe(**env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("JULI_MAP_")}
    environ.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    return subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )


def _config(**env: str) -> dict[str, Any]:
    out = _probe(**env)
    assert out.returncode == 0, out.stderr
    return dict(json.loads(out.stdout))


# --- Environment → settings → the JSON -------------------------------------------------------


def test_it_draws_no_tiles_by_default():
    assert _config() == {
        "config": {
            "tiles": "",
            "coords": "wgs84",
            "maxZoom": 18,
            "layers": [],
            "labels": LABELS,
        },
        "origins": [],
    }


def test_it_reads_none_as_no_tiles():
    assert _config(JULI_MAP_TILES="none")["config"]["layers"] == []


def test_it_configures_tianditu_with_its_key_and_both_layers():
    seen = _config(JULI_MAP_TILES="Tianditu", JULI_MAP_KEY="abc123")
    config = seen["config"]
    assert config["tiles"] == "tianditu"
    assert config["coords"] == "wgs84"  # CGCS2000: drawn as stored
    assert config["layers"] == [
        {"url": TIANDITU_VEC, "subdomains": list("01234567"), "attribution": "© 天地图"},
        {
            "url": TIANDITU_VEC.replace("vec_w", "cva_w").replace("LAYER=vec", "LAYER=cva"),
            "subdomains": list("01234567"),
            "attribution": "",
        },
    ]
    assert seen["origins"] == [f"https://t{i}.tianditu.gov.cn" for i in range(8)]


def test_it_configures_amap_in_gcj02():
    seen = _config(JULI_MAP_TILES="amap", JULI_MAP_ATTRIBUTION="© 高德地图 审图号GS(0000)0000号")
    assert seen["config"]["coords"] == "gcj02"
    assert seen["config"]["layers"] == [
        {
            "url": AMAP,
            "subdomains": ["1", "2", "3", "4"],
            "attribution": "© 高德地图 审图号GS(0000)0000号",
        }
    ]
    assert seen["origins"] == [f"https://webrd0{i}.is.autonavi.com" for i in range(1, 5)]


def test_it_configures_an_osm_tile_server():
    seen = _config(
        JULI_MAP_TILES="osm",
        JULI_MAP_TILE_URL="https://{s}.tile.example.org/{z}/{x}/{y}.png",
        JULI_MAP_SUBDOMAINS="ab",
        JULI_MAP_MAX_ZOOM="19",
    )
    assert seen["config"]["maxZoom"] == 19
    assert seen["config"]["layers"] == [
        {
            "url": "https://{s}.tile.example.org/{z}/{x}/{y}.png",
            "subdomains": ["a", "b"],
            "attribution": "© OpenStreetMap contributors",
        }
    ]
    assert seen["origins"] == ["https://a.tile.example.org", "https://b.tile.example.org"]


def test_it_configures_a_self_hosted_server_in_either_datum():
    url = "http://10.20.0.5:8080/tiles/{z}/{x}/{y}.png"
    gcj = _config(JULI_MAP_TILES="custom", JULI_MAP_TILE_URL=url, JULI_MAP_COORDS="GCJ02")
    assert gcj["config"]["coords"] == "gcj02"
    assert gcj["config"]["layers"][0]["url"] == url
    assert gcj["config"]["layers"][0]["attribution"] == ""
    assert gcj["origins"] == ["http://10.20.0.5:8080"]
    wgs = _config(JULI_MAP_TILES="custom", JULI_MAP_TILE_URL="/tiles/{z}/{x}/{y}.png")
    assert wgs["config"]["coords"] == "wgs84"
    assert wgs["origins"] == []  # Juli's own host: 'self' covers it


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"JULI_MAP_TILES": "google"}, "JULI_MAP_TILES='google': use tianditu, amap, osm"),
        ({"JULI_MAP_TILES": "tianditu"}, "JULI_MAP_TILES=tianditu needs JULI_MAP_KEY"),
        ({"JULI_MAP_TILES": "osm"}, "JULI_MAP_TILES=osm needs JULI_MAP_TILE_URL"),
        ({"JULI_MAP_TILES": "custom"}, "JULI_MAP_TILES=custom needs JULI_MAP_TILE_URL"),
        (
            {
                "JULI_MAP_TILES": "custom",
                "JULI_MAP_TILE_URL": "/t/{z}/{x}/{y}.png",
                "JULI_MAP_COORDS": "bd09",
            },
            "JULI_MAP_COORDS='bd09': use wgs84 or gcj02",
        ),
    ],
)
def test_it_refuses_to_start_with_an_incomplete_tile_source(env, message):  # type: ignore[no-untyped-def]
    out = _probe(**env)
    assert out.returncode == 1
    assert f"ImproperlyConfigured: {message}" in out.stderr


def test_it_draws_no_tiles_from_an_incomplete_override(settings):  # type: ignore[no-untyped-def]
    # Settings refuse it at start; a test's override could still make one.
    settings.JULI_MAP_TILES = "tianditu"
    settings.JULI_MAP_KEY = ""
    assert maps.tile_layers() == []
    assert maps.tile_origins() == []


def test_it_translates_the_map_labels():
    with translation.override("zh-hans"):
        labels = maps.tile_config()["labels"]
    assert labels["outlines"] == "辖区边界"
    assert labels["points"] == "点位"
    assert labels["cases"] == "案件"


# --- The page and the policy -----------------------------------------------------------------


@pytest.fixture
def officer(cast) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(cast.street_officer)
    return client


def _img_src(client: Client, path: str = "/cases/map/") -> list[str]:
    header = client.get(path)["Content-Security-Policy"]
    for part in header.split(";"):
        name, *sources = part.split()
        if name == "img-src":
            return sources
    raise AssertionError(header)


def test_img_src_names_no_tile_host_without_a_source(officer):  # type: ignore[no-untyped-def]
    assert _img_src(officer) == ["'self'", "data:", "blob:"]


def test_img_src_names_the_configured_tile_hosts(officer, settings):  # type: ignore[no-untyped-def]
    settings.JULI_MAP_TILES = "amap"
    assert _img_src(officer) == [
        "'self'",
        "data:",
        "blob:",
        "https://webrd01.is.autonavi.com",
        "https://webrd02.is.autonavi.com",
        "https://webrd03.is.autonavi.com",
        "https://webrd04.is.autonavi.com",
    ]
    settings.JULI_MAP_TILES = "osm"
    settings.JULI_MAP_TILE_URL = "https://tile.example.org/{z}/{x}/{y}.png"
    assert _img_src(officer, "/") == ["'self'", "data:", "blob:", "https://tile.example.org"]
    settings.JULI_MAP_TILES = "none"
    assert _img_src(officer) == ["'self'", "data:", "blob:"]


def test_the_map_page_carries_the_config_as_json(officer, settings):  # type: ignore[no-untyped-def]
    settings.JULI_MAP_TILES = "osm"
    settings.JULI_MAP_TILE_URL = "https://tile.example.org/{z}/{x}/{y}.png"
    html = officer.get("/cases/map/").content.decode()
    start = html.index('<script id="juli-map-config" type="application/json">')
    body = html[start:].split(">", 1)[1].split("</script>", 1)[0]
    config = json.loads(body)
    assert config["tiles"] == "osm"
    assert config["layers"][0]["url"] == "https://tile.example.org/{z}/{x}/{y}.png"
    assert 'js/basemap.js"' in html
