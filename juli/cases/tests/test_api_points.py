"""Points, point categories (with checklists) and case categories through the REST API."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from juli.cases import actions
from juli.orgs.models import User


def _client(user: Any = None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(User.objects.get(pk=user.pk))
    return client


def _codes(response: Any) -> list[str]:
    return [row["code"] for row in response.json()["results"]]


@pytest.mark.parametrize(
    ("viewer", "codes"),
    [
        ("grid_worker", ["P-A", "P-B"]),
        ("other_grid_worker", ["P-C"]),
        ("unit_staff", ["P-A", "P-C"]),
        ("street_officer", ["P-A", "P-B", "P-C"]),
        ("outsider", []),
    ],
)
def test_it_lists_the_points_in_scope(world, viewer, codes):
    response = _client(getattr(world.c, viewer)).get("/api/v1/points/")
    assert response.status_code == 200
    assert _codes(response) == codes


def test_it_filters_points_by_area_category_and_text(world):
    client = _client(world.c.street_officer)
    assert _codes(client.get("/api/v1/points/", {"area": world.c.grid2.pk})) == ["P-C"]
    assert _codes(client.get("/api/v1/points/", {"area": world.c.mengxi.pk})) == [
        "P-A",
        "P-B",
        "P-C",
    ]
    other = actions.create_point_category(None, code="toilet", name="公厕")
    assert _codes(client.get("/api/v1/points/", {"category": other.pk})) == []
    assert _codes(client.get("/api/v1/points/", {"q": "菜场B"})) == ["P-B"]
    assert _codes(client.get("/api/v1/points/", {"q": "p-c"})) == ["P-C"]
    assert client.get("/api/v1/points/", {"area": "x"}).status_code == 400


def test_it_pages_points_by_keyset(world):
    client = _client(world.c.street_officer)
    page = client.get("/api/v1/points/", {"page_size": 2}).json()
    assert [r["code"] for r in page["results"]] == ["P-A", "P-B"]
    rest = client.get(page["next"]).json()
    assert [r["code"] for r in rest["results"]] == ["P-C"]
    assert rest["next"] is None


def test_it_shows_a_point_in_scope_and_404_outside(world):
    data = _client(world.c.grid_worker).get(f"/api/v1/points/{world.point_a.pk}/").json()
    assert data == {
        "id": world.point_a.pk,
        "code": "P-A",
        "name": "菜场A",
        "area": {"id": world.c.grid1.pk, "name": "蒙西第一微网格"},
        "category": {"id": world.market.pk, "name": "农贸市场"},
        "lat": "31.200000",
        "lng": "121.470000",
        "responsible_unit": {"id": world.c.property_co.pk, "name": "蒙西物业公司"},
        "zero_deduction": True,
        "is_active": True,
    }
    response = _client(world.c.grid_worker).get(f"/api/v1/points/{world.point_c.pk}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_it_lists_point_categories_with_their_active_checklist(world):
    retired = actions.create_checklist_item(
        None, world.market, text="旧条目", case_category=world.litter, order=3, is_active=False
    )
    data = _client(world.c.inspector).get("/api/v1/point-categories/").json()
    assert [(c["code"], [i["text"] for i in c["items"]]) for c in data] == [
        ("market", ["地面无垃圾", "设施完好"])
    ]
    assert data[0]["items"][0] == {
        "id": world.item_clean.pk,
        "text": "地面无垃圾",
        "deduction": "2.00",
        "case_category": world.litter.pk,
        "order": 1,
    }
    assert retired.pk not in [i["id"] for i in data[0]["items"]]


def test_it_lists_active_case_categories(world):
    actions.create_case_category(None, code="old", name="旧类", is_active=False)
    data = _client(world.c.grid_worker).get("/api/v1/case-categories/").json()
    assert [c["code"] for c in data] == ["facility", "hazard", "litter"]
    assert data[1] == {
        "id": world.hazard.pk,
        "code": "hazard",
        "name": "安全隐患",
        "time_limit": 24,
        "time_unit": "hours",
        "in_working_time": False,
    }


def test_it_refuses_anonymous_reads_of_points_with_401(world):
    assert _client().get("/api/v1/points/").status_code == 401
    assert _client().get("/api/v1/case-categories/").status_code == 401


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/points/99999999999999999999/",
        "/api/v1/point-categories/99999999999999999999/",
        "/api/v1/case-categories/99999999999999999999/",
        "/api/v1/cases/99999999999999999999/",
        "/api/v1/cases/99999999999999999999/photos/",
        "/api/v1/inspections/99999999999999999999/",
    ],
)
def test_it_answers_an_id_no_table_can_hold_with_404(world, url):
    response = _client(world.c.street_officer).get(url)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("url", ["/api/v1/points/", "/api/v1/cases/"])
def test_it_refuses_a_filter_id_no_table_can_hold_with_400(world, url):
    response = _client(world.c.street_officer).get(url, {"area": 10**20})
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["area"]
