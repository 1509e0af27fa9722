"""The map of open cases' data: the positioned points of the scope beside the cases and the
outlines, and the case page's mini map gets its point's pin (issue 14 item 7)."""

from __future__ import annotations

import json
from decimal import Decimal

from django.urls import reverse

from juli.cases import points
from juli.orgs import actions as org_actions

from .conftest import new_case


def test_it_serves_the_positioned_points_of_the_scope(client, world):  # type: ignore[no-untyped-def]
    community = org_actions.create_area(
        None, world.c.huaihai, name="淮海居民区", kind="community", code="310101014001"
    )
    huaihai_grid = org_actions.create_area(
        None, community, name="淮海第一微网格", kind="micro_grid", code="3101010140010101"
    )
    elsewhere = points.create_point(
        None,
        code="P-H",
        name="淮海菜场",
        area=huaihai_grid,
        category=world.market,
        lat=Decimal("31.220000"),
        lng=Decimal("121.460000"),
    )
    points.update_point(
        None, world.point_b, lat=Decimal("31.201000"), lng=Decimal("121.471000"), is_active=False
    )

    client.force_login(world.c.street_officer)
    data = client.get(reverse("case-map-data")).json()
    # Point A alone: B is inactive, C has no position, 淮海菜场 lies outside Dapuqiao.
    assert data["points"] == [
        {
            "id": world.point_a.pk,
            "name": "菜场A",
            "lat": 31.2,
            "lng": 121.47,
            "url": f"/points/{world.point_a.pk}/",
        }
    ]

    client.force_login(world.c.district_admin)
    data = client.get(reverse("case-map-data")).json()
    assert [p["id"] for p in data["points"]] == [world.point_a.pk, elsewhere.pk]


def _script(html: str, element_id: str) -> object:
    start = html.index(f'<script id="{element_id}" type="application/json">')
    return json.loads(html[start:].split(">", 1)[1].split("</script>", 1)[0])


def test_the_case_page_gives_the_mini_map_the_point_and_the_area(client, world):  # type: ignore[no-untyped-def]
    case = new_case(world, point=world.point_a)
    client.force_login(world.c.street_officer)
    html = client.get(reverse("case-detail", args=[case.pk])).content.decode()
    assert _script(html, "case-point") == {"name": "菜场A", "lat": 31.2, "lng": 121.47}
    assert _script(html, "case-area") == {"name": "蒙西第一微网格", "kind": "micro_grid"}
    assert _script(html, "case-position") == {"lat": 31.2, "lng": 121.47}
    assert _script(html, "juli-map-config") is not None


def test_a_point_without_a_position_gives_no_pin(client, world):  # type: ignore[no-untyped-def]
    case = new_case(world, point=world.point_b, lat=Decimal("31.2"), lng=Decimal("121.47"))
    client.force_login(world.c.street_officer)
    html = client.get(reverse("case-detail", args=[case.pk])).content.decode()
    assert _script(html, "case-point") is None
