"""Client-supplied positions and times: half a coordinate, NaN, out of range, 1970 or tomorrow.

A position is both halves or neither, each finite and in range; an inspection's start time
lies between JULI_INSPECTION_BACKDATE_HOURS ago (a phone that was offline) and
JULI_CLOCK_SKEW_MINUTES ahead (a phone whose clock runs fast). Every path that takes them
refuses the rest at the field: the case and inspection API (which the phone pages' outbox
posts to), Open311, the point import and the actions themselves.
"""

from __future__ import annotations

import datetime
import io
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook
from rest_framework.test import APIClient

from juli.cases import excel, inspections, points
from juli.cases.models import Case, Inspection, Point
from juli.core.models import AuditLog
from juli.orgs.models import User

from .conftest import new_case

PAIR = "Give the latitude and the longitude together, or neither."


def _client(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(User.objects.get(pk=user.pk))
    return client


def _fields(response: Any) -> dict[str, list[str]]:
    """The per-field messages of a 400 (the API's error body, juli/cases/api.py)."""
    assert response.status_code == 400, response.content
    return response.json()["fields"]  # type: ignore[no-any-return]


def _report(w: Any, **position: Any) -> Any:
    body = {
        "client_uuid": str(uuid.uuid4()),
        "category": w.litter.pk,
        "area": w.c.grid1.pk,
        "title": "垃圾满溢",
        **position,
    }
    return _client(w.c.grid_worker).post("/api/v1/cases/", body, format="json")


def _inspection(w: Any, **extra: Any) -> Any:
    body = {
        "client_uuid": str(uuid.uuid4()),
        "point": w.point_a.pk,
        "started_at": (timezone.now() - datetime.timedelta(minutes=20)).isoformat(),
        "results": [{"item": w.item_clean.pk, "passed": True}],
        **extra,
    }
    return _client(w.c.inspector).post("/api/v1/inspections/", body, format="json")


# --- Positions: the case API ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("position", "expected"),
    [
        ({"lat": "12.5"}, {"lng": [PAIR]}),
        ({"lat": "12.5", "lng": None}, {"lng": [PAIR]}),
        ({"lng": "121.47"}, {"lat": [PAIR]}),
        ({"lat": "91", "lng": "121"}, {"lat": ["Ensure this value is less than or equal to 90."]}),
        (
            {"lat": "31", "lng": "-180.5"},
            {"lng": ["Ensure this value is greater than or equal to -180."]},
        ),
        ({"lat": "NaN", "lng": "121"}, {"lat": ["A valid number is required."]}),
        ({"lat": "31", "lng": "Infinity"}, {"lng": ["A valid number is required."]}),
        ({"lat": "-inf", "lng": "121"}, {"lat": ["A valid number is required."]}),
    ],
)
def test_it_refuses_a_case_report_with_a_broken_position_at_the_field(world, position, expected):
    response = _report(world, **position)
    assert _fields(response) == expected
    assert Case.objects.count() == 0


def test_it_refuses_a_case_report_with_nan_as_a_json_number(world):
    body = (
        f'{{"client_uuid": "{uuid.uuid4()}", "category": {world.litter.pk}, '
        f'"area": {world.c.grid1.pk}, "title": "x", "lat": NaN, "lng": 1}}'
    )
    response = _client(world.c.grid_worker).post(
        "/api/v1/cases/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert Case.objects.count() == 0


@pytest.mark.parametrize(
    "position",
    [{}, {"lat": None, "lng": None}, {"lat": "31.2", "lng": "121.47"}, {"lat": "0", "lng": "0"}],
)
def test_it_takes_a_case_report_with_both_halves_or_neither(world, position):
    response = _report(world, **position)
    assert response.status_code == 201, response.content
    case = Case.objects.get()
    expected = (
        (Decimal(position["lat"]), Decimal(position["lng"]))
        if position.get("lat") is not None
        else (None, None)
    )
    assert (case.lat, case.lng) == expected


# --- Positions: the inspection API and the actions ----------------------------------------------


@pytest.mark.parametrize(
    ("position", "expected"),
    [
        ({"lat": "31.2"}, {"lng": [PAIR]}),
        ({"lng": "121.47", "lat": None}, {"lat": [PAIR]}),
        ({"lat": "NaN", "lng": "121.47"}, {"lat": ["A valid number is required."]}),
        (
            {"lat": "31.2", "lng": "181"},
            {"lng": ["Ensure this value is less than or equal to 180."]},
        ),
    ],
)
def test_it_refuses_an_inspection_with_a_broken_position_at_the_field(world, position, expected):
    response = _inspection(world, **position)
    assert _fields(response) == expected
    assert Inspection.objects.count() == 0


@pytest.mark.parametrize(
    ("lat", "lng", "field", "message"),
    [
        (Decimal("31.2"), None, "lng", PAIR),
        (None, Decimal("121.47"), "lat", PAIR),
        (Decimal("NaN"), Decimal("121.47"), "lat", "The latitude is not a number."),
        (Decimal("31.2"), Decimal("Infinity"), "lng", "The longitude is not a number."),
        (Decimal("-90.5"), Decimal("121.47"), "lat", "The latitude lies from -90 to 90."),
        (Decimal("31.2"), Decimal("180.1"), "lng", "The longitude lies from -180 to 180."),
    ],
)
def test_the_actions_refuse_a_broken_position_whoever_calls_them(world, lat, lng, field, message):
    with pytest.raises(ValidationError) as refused:
        inspections.submit_inspection(
            world.c.inspector,
            client_uuid=uuid.uuid4(),
            point=world.point_a,
            results=[(world.item_clean, True)],
            started_at=timezone.now(),
            lat=lat,
            lng=lng,
        )
    assert refused.value.message_dict == {field: [message]}
    with pytest.raises(ValidationError) as refused:
        new_case(world, lat=lat, lng=lng)
    assert refused.value.message_dict[field] == [message]
    assert Inspection.objects.count() == Case.objects.count() == 0


def test_a_case_from_an_inspection_takes_the_points_position_whole_or_not_at_all(world):
    # A point saved before the rule with only its latitude: the case gets the fix of the
    # phone, never the point's latitude beside the phone's longitude.
    Point.objects.filter(pk=world.point_b.pk).update(lat=Decimal("30"), lng=None)
    inspections.submit_inspection(
        world.c.inspector,
        client_uuid=uuid.uuid4(),
        point=Point.objects.get(pk=world.point_b.pk),
        results=[(world.item_clean, False, "脏", [])],
        started_at=timezone.now(),
        lat=Decimal("31.200100"),
        lng=Decimal("121.470100"),
    )
    case = Case.objects.get()
    assert (case.lat, case.lng) == (Decimal("31.200100"), Decimal("121.470100"))


# --- Positions: Open311 and the point import -------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "description"),
    [
        ({"lat": "31.2", "address_string": "菜场A"}, "Give lat and long together, or neither."),
        ({"long": "121.47", "address_string": "菜场A"}, "Give lat and long together, or neither."),
        ({"lat": "NaN", "long": "121.47"}, "lat is not a valid coordinate."),
        ({"lat": "31.2", "long": "-Infinity"}, "long is not a valid coordinate."),
    ],
)
def test_open311_refuses_half_a_position(world, client, data, description):
    body = {"service_code": "litter", "description": "路口有垃圾", **data}
    response = client.post("/open311/v2/requests.json", body)
    assert response.status_code == 400
    assert response.json() == [{"code": 400, "description": description}]
    assert Case.objects.count() == 0


def _sheet(*rows: list[object]) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append([header for _key, header in points.POINT_COLUMNS])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("points.xlsx", out.getvalue(), content_type=excel.XLSX_TYPE)


def test_the_point_import_refuses_half_a_position_on_its_row(client, world):
    client.force_login(world.c.street_officer)
    upload = _sheet(
        ["N-1", "新菜场", "3101010130010101", "market", 31.21, None],
        ["N-2", "新菜场二", "3101010130010101", "market", None, 121.48],
        ["N-3", "新菜场三", "3101010130010101", "market", "NaN", 121.48],
        ["N-4", "新菜场四", "3101010130010101", "market", 31.21, "-inf"],
        ["N-5", "新菜场五", "3101010130010101", "market", 31.21, 121.48],
    )
    report = client.post(reverse("point-import"), {"file": upload}).context["report"]
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (2, "lng", PAIR),
        (3, "lat", PAIR),
        (4, "lat", "not a number"),
        (5, "lng", "not a number"),
    ]
    assert not Point.objects.filter(code__startswith="N-").exists()


def test_a_point_is_refused_with_half_a_position(world):
    with pytest.raises(ValidationError) as refused:
        points.update_point(None, world.point_a, lng=None)
    assert refused.value.message_dict == {"lng": [PAIR]}
    assert Point.objects.get(pk=world.point_a.pk).lng == Decimal("121.470000")


# --- Times: the inspection's start ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("started_at", "message"),
    [
        (
            lambda: datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC),
            "The start time is more than 72 hours ago: an inspection is sent within 72 hours.",
        ),
        (
            lambda: timezone.now() - datetime.timedelta(hours=72, minutes=5),
            "The start time is more than 72 hours ago: an inspection is sent within 72 hours.",
        ),
        (
            lambda: timezone.now() + datetime.timedelta(minutes=12),
            "The start time is in the future: check the phone's clock.",
        ),
        (
            lambda: datetime.datetime(2999, 1, 1, tzinfo=datetime.UTC),
            "The start time is in the future: check the phone's clock.",
        ),
    ],
)
def test_it_refuses_an_inspection_started_outside_the_window_at_the_field(
    world, started_at, message
):
    # Times relative to now are made when the test runs, not when it is collected.
    response = _inspection(world, started_at=started_at().isoformat())
    assert _fields(response) == {"started_at": [message]}
    assert Inspection.objects.count() == 0
    assert not AuditLog.objects.filter(verb="inspection.submit").exists()


@pytest.mark.parametrize(
    "offset",
    [
        datetime.timedelta(hours=-71, minutes=-50),  # three days offline, just inside
        datetime.timedelta(minutes=-1),
        datetime.timedelta(minutes=9),  # a phone clock a little fast
    ],
)
def test_it_takes_an_inspection_started_inside_the_window(world, offset):
    started_at = timezone.now() + offset
    response = _inspection(world, started_at=started_at.isoformat())
    assert response.status_code == 201, response.content
    assert Inspection.objects.get().started_at == started_at


def test_the_window_comes_from_the_settings(world, settings):
    settings.JULI_INSPECTION_BACKDATE_HOURS = 2
    settings.JULI_CLOCK_SKEW_MINUTES = 30
    old = timezone.now() - datetime.timedelta(hours=3)
    assert _fields(_inspection(world, started_at=old.isoformat())) == {
        "started_at": [
            "The start time is more than 2 hours ago: an inspection is sent within 2 hours."
        ]
    }
    ahead = timezone.now() + datetime.timedelta(minutes=20)
    assert _inspection(world, started_at=ahead.isoformat()).status_code == 201


def test_the_window_is_measured_from_the_submission_time_of_a_backdated_write(world):
    # The demo generator writes past days with `at`: the window moves with it.
    at = timezone.now() - datetime.timedelta(days=30)
    inspection = inspections.submit_inspection(
        world.c.inspector,
        client_uuid=uuid.uuid4(),
        point=world.point_a,
        results=[(world.item_clean, True)],
        started_at=at - datetime.timedelta(minutes=10),
        at=at,
    )
    assert inspection.submitted_at == at
