"""The maps on their base map (static/js/basemap.js) in Chromium.

Without a tile source the map of open cases is a plain background with the grids' outlines
and names, the points as squares and the cases as circles; with a tile source (a made-up
host answered by route interception, so nothing leaves the machine) tile images are drawn,
and when the tiles fail the page falls back to the plain drawing and says so. Where nothing
has a position the page says so instead of drawing an empty map. The case page's mini map
shows the point's pin. The WGS-84 → GCJ-02 transform runs in the page against reference
values.

Screenshots go to test-output/screenshots/basemap-*.png.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from juli.cases.models import Point
from juli.core.tests.browser import DESK, fill_sign_in
from juli.orgs.models import Area

from .conftest import new_case, tiny_png

TILES = "http://tiles.juli.test"


def _square(w: float, s: float, e: float, n: float) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]}


def _outlines(world: Any) -> None:
    """Grid 1 around point A (121.47, 31.2), grid 2 east of it."""
    Area.objects.filter(pk=world.c.grid1.pk).update(
        boundary=_square(121.465, 31.195, 121.475, 31.205)
    )
    Area.objects.filter(pk=world.c.grid2.pk).update(
        boundary=_square(121.475, 31.195, 121.485, 31.205)
    )


def _sign_in(browser: Browser, base: str, username: str = "street_officer") -> Page:
    page = browser.new_page(**DESK)
    fill_sign_in(page, base, username)
    return page


def _label(page: Page, name: str) -> Any:
    """An area's name on the map (the span: the marker's own div has no size)."""
    return page.locator("#case-map .leaflet-map-pane .map-label > span", has_text=name)


@pytest.mark.browser
def test_it_draws_outlines_names_points_and_cases_without_tiles(
    browser: Browser, live_server: Any, transactional_db: None, world: Any, screenshot_dir: Path
) -> None:
    _outlines(world)
    new_case(world, point=world.point_a, title="摊位占道")
    new_case(world, title="无位置的案件")  # listed, not drawn
    page = _sign_in(browser, live_server.url)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server.url}/cases/map/")

    big = page.locator("#case-map")
    expect(big).to_have_class(re.compile(r"\bjuli-map plain\b"))
    # The names are drawn in the map pane, at the grids' centres, and shown.
    expect(_label(page, "蒙西第一微网格")).to_be_visible()
    expect(_label(page, "蒙西第二微网格")).to_be_visible()
    assert page.locator("#case-map img.leaflet-tile").count() == 0
    expect(page.locator("#case-map .point-pin")).to_have_count(1)  # only point A has a position
    expect(page.locator("#case-map path.leaflet-interactive")).to_have_count(3)  # 2 grids, 1 case
    expect(page.locator("#case-map .leaflet-control-scale-line")).to_have_count(1)
    expect(page.locator("#case-map .leaflet-control-layers")).to_have_count(1)
    expect(page.locator("#case-map-list li.map-item")).to_have_count(2)
    expect(page.locator("#case-map-list li.no-position")).to_have_count(1)
    page.screenshot(path=str(screenshot_dir / "basemap-plain.png"))

    # Zoomed in, the point's name shows beside its square.
    page.locator("#case-map-list li.map-item:not(.no-position)").click()
    expect(page.locator(".leaflet-popup")).to_contain_text("摊位占道")
    expect(page.locator("#case-map .point-label > span", has_text="菜场A")).to_be_visible()

    # The layer control hides the outlines (and their names) and brings them back.
    page.locator("#case-map .leaflet-control-layers").hover()
    outlines = page.locator("#case-map .leaflet-control-layers-overlays label").first
    outlines.locator("input").uncheck()
    expect(_label(page, "蒙西第一微网格")).to_have_count(0)
    outlines.locator("input").check()
    expect(_label(page, "蒙西第一微网格")).to_have_count(1)
    assert errors == []


@pytest.mark.browser
def test_it_says_so_when_nothing_has_a_position(
    browser: Browser, live_server: Any, transactional_db: None, world: Any
) -> None:
    Point.objects.update(lat=None, lng=None)
    new_case(world, title="无位置的案件")
    page = _sign_in(browser, live_server.url)
    page.goto(f"{live_server.url}/cases/map/")
    said = page.locator("#case-map").get_attribute("data-nothing-label")
    assert said and "no map to draw" in said
    expect(page.locator("#case-map.map-nothing .empty")).to_have_text(said)
    assert page.locator("#case-map .leaflet-map-pane").count() == 0
    expect(page.locator("#case-map-list li.map-item")).to_have_count(1)  # the list still shows it


@pytest.mark.browser
def test_it_draws_tiles_from_the_configured_source_and_falls_back_when_they_fail(
    browser: Browser,
    live_server: Any,
    transactional_db: None,
    world: Any,
    settings: Any,
    screenshot_dir: Path,
) -> None:
    settings.JULI_MAP_TILES = "custom"
    settings.JULI_MAP_TILE_URL = TILES + "/{z}/{x}/{y}.png"
    settings.JULI_MAP_ATTRIBUTION = "测试底图"
    _outlines(world)
    new_case(world, point=world.point_a)
    page = _sign_in(browser, live_server.url)
    asked: list[str] = []
    png = tiny_png((230, 235, 225))

    def tile(route: Route) -> None:
        asked.append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=png)

    page.route(TILES + "/**", tile)
    page.goto(f"{live_server.url}/cases/map/")
    expect(page.locator("#case-map img.leaflet-tile-loaded").first).to_be_attached()
    assert page.locator("#case-map img.leaflet-tile").count() >= 4
    assert all(url.startswith(TILES + "/") and url.endswith(".png") for url in asked)
    expect(page.locator("#case-map")).to_have_class(re.compile(r"\bjuli-map has-tiles$"))
    expect(page.locator("#case-map .leaflet-control-attribution")).to_have_text("测试底图")
    expect(_label(page, "蒙西第一微网格")).to_be_visible()  # the grids' names stay on top
    page.screenshot(path=str(screenshot_dir / "basemap-tiles.png"))

    # The tile server is down: the plain drawing, with a word about it.
    # (Another path, so that no tile comes from the browser's cache.)
    settings.JULI_MAP_TILE_URL = TILES + "/down/{z}/{x}/{y}.png"
    page.unroute(TILES + "/**")
    page.route(TILES + "/**", lambda route: route.fulfill(status=503, body=b""))
    page.goto(f"{live_server.url}/cases/map/")
    failing = page
    expect(failing.locator("#case-map.tiles-failed.plain")).to_be_attached()
    expect(failing.locator("#case-map .map-note")).to_be_visible()
    expect(failing.locator("#case-map img.leaflet-tile")).to_have_count(0)
    expect(
        failing.locator("#case-map .leaflet-map-pane .map-label > span", has_text="蒙西第二微网格")
    ).to_be_visible()


@pytest.mark.browser
def test_the_case_page_shows_the_point_pin_and_the_transform_meets_reference_values(
    browser: Browser, live_server: Any, transactional_db: None, world: Any, screenshot_dir: Path
) -> None:
    _outlines(world)
    case = new_case(world, point=world.point_a, title="摊位占道")
    page = _sign_in(browser, live_server.url)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    mini = page.locator("#case-minimap")
    expect(mini.locator(".point-pin.current")).to_have_count(1)
    expect(mini.locator(".point-label > span", has_text="菜场A")).to_be_visible()
    expect(mini.locator(".map-label.area-label", has_text="蒙西第一微网格")).to_have_count(1)
    expect(mini.locator("path.leaflet-interactive")).to_have_count(2)  # the grid and the case
    mini.screenshot(path=str(screenshot_dir / "basemap-minimap.png"))

    converted = page.evaluate(
        """() => [
          JuliMap.wgs84ToGcj02(121.4737, 31.2304),
          JuliMap.wgs84ToGcj02(116.404, 39.915),
          JuliMap.wgs84ToGcj02(2.3522, 48.8566)
        ]"""
    )
    shanghai, beijing, paris = converted
    # People's Square, Shanghai: the issue gives GCJ-02 ≈ (121.4781, 31.2284), rounded down;
    # the transform gives (121.47822, 31.22846), within 1e-4 of (121.4782, 31.2285).
    assert shanghai[0] == pytest.approx(121.4782, abs=1e-4)
    assert shanghai[1] == pytest.approx(31.2285, abs=1e-4)
    assert shanghai[0] == pytest.approx(121.4781, abs=1.5e-4)
    assert shanghai[1] == pytest.approx(31.2284, abs=1e-4)
    # The reference pair published with the widely used coordtransform library.
    assert beijing[0] == pytest.approx(116.41024449916938, abs=1e-9)
    assert beijing[1] == pytest.approx(39.91640428150164, abs=1e-9)
    assert paris == [2.3522, 48.8566]  # outside China: unchanged
