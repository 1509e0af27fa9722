"""Inspections through the REST API: submit a checklist, failed items become cases."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from juli.cases.models import Case, CasePhoto, Inspection
from juli.orgs.models import User

from .test_api_cases import stage

URL = "/api/v1/inspections/"


def _client(user: Any = None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(User.objects.get(pk=user.pk))
    return client


def _body(w: Any, **extra: Any) -> dict[str, Any]:
    return {
        "client_uuid": str(uuid.uuid4()),
        "point": w.point_a.pk,
        "started_at": timezone.now().isoformat(),  # inside the accepted window
        "lat": "31.200000",
        "lng": "121.470000",
        "results": [
            {"item": w.item_clean.pk, "passed": False, "note": "门口有垃圾"},
            {"item": w.item_facility.pk, "passed": True},
        ],
        **extra,
    }


def test_it_submits_an_inspection_and_returns_the_cases_it_made(world):
    response = _client(world.c.inspector).post(URL, _body(world), format="json")
    assert response.status_code == 201
    data = response.json()
    inspection = Inspection.objects.get()
    case = Case.objects.get()
    assert data["id"] == inspection.pk
    assert data["cases"] == [{"id": case.pk, "number": case.number}]
    assert data["deduction"] == "2.00"
    assert data["far_from_point"] is False
    assert data["distance_m"] == 0
    assert [(r["text"], r["passed"]) for r in data["results"]] == [
        ("地面无垃圾", False),
        ("设施完好", True),
    ]
    assert (case.status, case.source, case.description) == ("accepted", "inspection", "门口有垃圾")


def test_it_attaches_staged_uploads_to_the_failed_items_case(world):
    client = _client(world.c.inspector)
    body = _body(world)
    body["results"][0]["uploads"] = [stage(client)]
    response = client.post(URL, body, format="json")
    assert response.status_code == 201
    case = Case.objects.get()
    assert list(CasePhoto.objects.values_list("case", "kind")) == [(case.pk, "before")]


@pytest.mark.parametrize(
    ("viewer", "expected"),
    [("grid_worker", 403), ("other_grid_worker", 400), ("outsider", 400), ("inspector", 201)],
)
def test_it_lets_only_inspectors_of_the_area_submit(world, viewer, expected):
    response = _client(getattr(world.c, viewer)).post(URL, _body(world), format="json")
    assert response.status_code == expected
    assert Inspection.objects.count() == (1 if expected == 201 else 0)


def test_it_refuses_an_item_of_another_checklist_with_400(world):
    from juli.cases import actions

    toilet = actions.create_point_category(None, code="toilet", name="公厕")
    stranger = actions.create_checklist_item(
        None, toilet, text="无异味", case_category=world.litter
    )
    body = _body(world, results=[{"item": stranger.pk, "passed": False}])
    response = _client(world.c.inspector).post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert Inspection.objects.count() == 0


def test_it_refuses_an_empty_checklist_with_400(world):
    response = _client(world.c.inspector).post(URL, _body(world, results=[]), format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["results"]


def test_it_lists_and_shows_inspections_in_scope_only(world):
    _client(world.c.inspector).post(URL, _body(world), format="json")
    inspection = Inspection.objects.get()
    officer = _client(world.c.street_officer)
    assert [r["id"] for r in officer.get(URL).json()["results"]] == [inspection.pk]
    assert officer.get(f"{URL}{inspection.pk}/").json()["point"]["name"] == "菜场A"
    other = _client(world.c.other_grid_worker)
    assert other.get(URL).json()["results"] == []
    assert other.get(f"{URL}{inspection.pk}/").status_code == 404
