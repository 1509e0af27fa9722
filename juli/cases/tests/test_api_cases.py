"""Cases through the REST API: scope, lists, detail, reports, transitions and photos."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from juli.cases.models import Case, CaseEvent, CasePhoto
from juli.core.models import Upload
from juli.core.tests.conftest import image_bytes, upload_file
from juli.orgs import actions as org_actions
from juli.orgs.models import User
from juli.orgs.roles import Role

from .conftest import new_case, photo, put


def stage(client: APIClient) -> str:
    """A staged upload of the client's user (POST /api/v1/uploads/): its id."""
    response = client.post(
        "/api/v1/uploads/",
        {"file": upload_file(image_bytes()), "client_uuid": str(uuid.uuid4())},
        format="multipart",
    )
    assert response.status_code == 201
    return str(response.json()["id"])


def _client(user: Any = None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(User.objects.get(pk=user.pk))
    return client


def _step(user: Any, case: Case, **body: Any) -> Any:
    return _client(user).post(f"/api/v1/cases/{case.pk}/transitions/", body, format="json")


def _fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


# --- Scope ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("viewer", "expected"),
    [
        ("grid_worker", 200),
        ("other_grid_worker", 404),
        ("outsider", 404),
        ("unit_staff", 404),  # not yet dispatched to the unit
        ("street_officer", 200),
        ("platform_admin", 200),
    ],
)
def test_it_shows_a_case_only_in_scope(world, viewer, expected):
    case = new_case(world)
    response = _client(getattr(world.c, viewer)).get(f"/api/v1/cases/{case.pk}/")
    assert response.status_code == expected


def test_it_refuses_anonymous_callers_with_401(world):
    case = new_case(world)
    assert _client().get(f"/api/v1/cases/{case.pk}/").status_code == 401
    assert _step(None, case, action="accept").status_code == 401
    assert _fresh(case).status == "reported"


def test_it_hides_another_grids_case_from_a_grid_worker_for_reading_and_changing(world):
    case = new_case(world)
    client = _client(world.c.other_grid_worker)
    assert client.get(f"/api/v1/cases/{case.pk}/photos/").status_code == 404
    response = _step(world.c.other_grid_worker, case, action="accept")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}
    assert client.get("/api/v1/cases/").json()["results"] == []
    assert _fresh(case).status == "reported"
    assert CaseEvent.objects.filter(case=case).count() == 1


def test_it_stops_unit_staff_acting_on_another_units_case(world):
    other_unit = org_actions.create_unit(
        None, name="另一家物业", kind="property", area=world.c.dapuqiao
    )
    case = put(new_case(world), "dispatched", world)
    Case.objects.filter(pk=case.pk).update(unit=other_unit)
    response = _step(world.c.unit_staff, case, action="rectify")
    assert response.status_code == 404
    assert _fresh(case).status == "dispatched"


def test_it_lets_unit_staff_see_a_dispatched_case_and_refuses_a_wrong_role_with_403(world):
    case = put(new_case(world), "dispatched", world)
    response = _step(world.c.unit_staff, case, action="dispatch")
    assert response.status_code == 409  # the state check comes before the role check
    response = _step(world.c.grid_worker, case, action="rectify")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert _fresh(case).status == "dispatched"


# --- List ---------------------------------------------------------------------------------------


def test_it_lists_cases_with_the_office_filters_and_keyset_pages(world):
    first = new_case(world, title="一")
    second = new_case(world, title="二", category=world.facility)
    third = new_case(world, title="三")
    put(third, "dispatched", world)
    client = _client(world.c.street_officer)
    page = client.get("/api/v1/cases/", {"page_size": 2}).json()
    assert [r["title"] for r in page["results"]] == ["三", "二"]
    rest = client.get(page["next"]).json()
    assert [r["title"] for r in rest["results"]] == ["一"]
    assert rest["next"] is None
    by_category = client.get("/api/v1/cases/", {"category": world.facility.pk}).json()
    assert [r["id"] for r in by_category["results"]] == [second.pk]
    by_status = client.get("/api/v1/cases/", {"status": ["reported"]}).json()
    assert [r["id"] for r in by_status["results"]] == [second.pk, first.pk]
    by_area = client.get("/api/v1/cases/", {"area": world.c.grid2.pk}).json()
    assert by_area["results"] == []
    by_unit = client.get("/api/v1/cases/", {"unit": world.c.property_co.pk}).json()
    assert [r["id"] for r in by_unit["results"]] == [third.pk]
    by_source = client.get("/api/v1/cases/", {"source": "hotline"}).json()
    assert by_source["results"] == []


def test_it_refuses_a_bad_filter_with_400(world):
    response = _client(world.c.street_officer).get("/api/v1/cases/", {"status": "lost"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert list(response.json()["fields"]) == ["status"]


def test_it_lists_a_page_in_a_fixed_number_of_queries(world):
    for i in range(3):
        new_case(world, title=f"c{i}")
    client = _client(world.c.street_officer)
    client.get("/api/v1/cases/")
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/cases/")
    for i in range(5):
        new_case(world, title=f"d{i}")
    with CaptureQueriesContext(connection) as many:
        response = client.get("/api/v1/cases/")
    assert len(response.json()["results"]) == 8
    assert len(many) == len(few)


# --- Detail and photos --------------------------------------------------------------------------


def test_it_shows_the_detail_with_photos_timeline_and_the_callers_actions(world):
    case = new_case(world, photos=[photo()])
    data = _client(world.c.street_officer).get(f"/api/v1/cases/{case.pk}/").json()
    assert data["number"] == case.number
    assert data["status"] == "reported"
    assert data["available_actions"] == ["accept", "reject"]
    assert [(e["action"], e["from_status"], e["to_status"]) for e in data["timeline"]] == [
        ("report", "", "reported")
    ]
    assert [p["kind"] for p in data["photos"]] == ["before"]
    assert data["photos"][0]["url"].startswith("http://testserver/")
    grid = _client(world.c.grid_worker).get(f"/api/v1/cases/{case.pk}/").json()
    assert grid["available_actions"] == []
    photos = _client(world.c.grid_worker).get(f"/api/v1/cases/{case.pk}/photos/").json()
    assert [p["id"] for p in photos] == [data["photos"][0]["id"]]


# --- Report -------------------------------------------------------------------------------------


def test_it_reports_a_case_at_a_point(world):
    key = uuid.uuid4()
    response = _client(world.c.grid_worker).post(
        "/api/v1/cases/",
        {
            "client_uuid": str(key),
            "category": world.litter.pk,
            "point": world.point_a.pk,
            "title": "垃圾满溢",
            "lat": "31.200100",
            "lng": "121.470100",
        },
        format="json",
    )
    assert response.status_code == 201
    case = Case.objects.get(client_uuid=key)
    assert response.json()["id"] == case.pk
    assert (case.point, case.area, case.unit, case.source) == (
        world.point_a,
        world.c.grid1,
        world.c.property_co,
        "grid_worker",
    )


def test_it_refuses_a_report_at_a_point_out_of_scope_without_revealing_it(world):
    response = _client(world.c.grid_worker).post(
        "/api/v1/cases/",
        {
            "client_uuid": str(uuid.uuid4()),
            "category": world.litter.pk,
            "point": world.point_c.pk,
            "title": "x",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {"point": ["Unknown or not in your scope."]}
    assert Case.objects.count() == 0


def test_it_refuses_a_report_in_an_unknown_area_with_400(world):
    response = _client(world.c.district_admin).post(
        "/api/v1/cases/",
        {
            "client_uuid": str(uuid.uuid4()),
            "category": world.litter.pk,
            "area": 999999,
            "title": "x",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {"area": ["Unknown or not in your scope."]}
    assert Case.objects.count() == 0


def test_it_refuses_a_report_from_a_role_that_does_not_report_with_403(world):
    secretary = org_actions.create_person(None, name="何书记", phone="13800000099")
    org_actions.appoint(
        None,
        secretary,
        Role.PARTY_SECRETARY,
        org=world.c.mengxi_org,
        started_on=datetime.date(2024, 1, 1),
    )
    user = org_actions.create_account(
        None, secretary, "mengxi_secretary", "juli-test-Pass1", validate_password=False
    )
    response = _client(user).post(
        "/api/v1/cases/",
        {
            "client_uuid": str(uuid.uuid4()),
            "category": world.litter.pk,
            "area": world.c.grid1.pk,
            "title": "x",
        },
        format="json",
    )
    assert response.status_code == 403
    assert response.json() == {
        "detail": "You report problems in your own area.",
        "code": "permission_denied",
    }
    assert Case.objects.count() == 0


def test_it_attaches_staged_uploads_to_a_report(world):
    client = _client(world.c.grid_worker)
    upload = stage(client)
    response = client.post(
        "/api/v1/cases/",
        {
            "client_uuid": str(uuid.uuid4()),
            "category": world.litter.pk,
            "area": world.c.grid1.pk,
            "title": "x",
            "uploads": [upload],
        },
        format="json",
    )
    assert response.status_code == 201
    assert [(p["kind"], p["width"]) for p in response.json()["photos"]] == [("before", 64)]
    assert Upload.objects.get(pk=upload).attached_at is not None


def test_it_refuses_someone_elses_upload(world):
    upload = stage(_client(world.c.other_grid_worker))
    response = _client(world.c.grid_worker).post(
        "/api/v1/cases/",
        {
            "client_uuid": str(uuid.uuid4()),
            "category": world.litter.pk,
            "area": world.c.grid1.pk,
            "title": "x",
            "uploads": [upload],
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_upload"
    assert Case.objects.count() == 0


# --- Transitions --------------------------------------------------------------------------------


def test_it_runs_the_loop_through_the_transitions_endpoint(world):
    case = new_case(world)
    officer, staff, inspector = world.c.street_officer, world.c.unit_staff, world.c.inspector
    assert _step(officer, case, action="accept").json()["status"] == "accepted"
    dispatched = _step(officer, case, action="dispatch", unit=world.c.property_co.pk)
    assert dispatched.status_code == 200
    assert dispatched.json()["unit"]["id"] == world.c.property_co.pk
    rectified = _step(staff, case, action="rectify", uploads=[stage(_client(staff))])
    assert rectified.status_code == 200
    assert [p["kind"] for p in rectified.json()["photos"]] == ["after"]
    assert _step(inspector, case, action="verify").json()["status"] == "verified"
    closed = _step(officer, case, action="close", note="好")
    assert closed.json()["status"] == "closed"
    assert [e["action"] for e in closed.json()["timeline"]] == [
        "report",
        "accept",
        "dispatch",
        "rectify",
        "verify",
        "close",
    ]


@pytest.mark.parametrize(
    ("status", "body", "http", "code"),
    [
        ("reported", {"action": "close"}, 409, "illegal_state"),
        ("reported", {"action": "reject"}, 400, "note_required"),
        ("reported", {"action": "fly"}, 400, "invalid"),
        ("reported", {"action": "accept", "unit": "UNIT"}, 400, "unexpected_argument"),
        ("accepted", {"action": "dispatch", "unit": 999999}, 400, "invalid"),
        ("dispatched", {"action": "rectify"}, 400, "after_photo_required"),
        ("accepted", {"action": "defer", "note": "等"}, 400, "requester_required"),
        (
            "accepted",
            {"action": "defer", "note": "等", "requested_by": 999999},
            400,
            "requester_out_of_scope",
        ),
        (
            "accepted",
            {"action": "accept", "uploads": [str(uuid.uuid4())]},
            400,
            "unexpected_argument",
        ),
    ],
)
def test_it_maps_workflow_errors_onto_clean_responses(world, status, body, http, code):
    case = new_case(world)
    if status != "reported":
        case = put(case, status, world)
        CasePhoto.objects.filter(case=case).delete()
    events = CaseEvent.objects.filter(case=case).count()
    if body.get("unit") == "UNIT":
        body = {**body, "unit": world.c.property_co.pk}
    response = _step(world.c.street_officer, case, **body)
    assert response.status_code == http
    assert response.json()["code"] == code
    assert response.json()["detail"]
    assert _fresh(case).status == status
    assert CaseEvent.objects.filter(case=case).count() == events


def test_it_refuses_verification_by_the_rectifier(world):
    case = put(new_case(world), "rectified", world)
    Case.objects.filter(pk=case.pk).update(rectified_by=world.c.street_officer)
    response = _step(world.c.street_officer, case, action="verify")
    assert (response.status_code, response.json()["code"]) == (400, "same_person")


def test_it_defers_with_a_requester_who_works_on_the_case(world):
    case = put(new_case(world), "accepted", world)
    response = _step(
        world.c.street_officer,
        case,
        action="defer",
        note="等待改造",
        requested_by=world.c.inspector.pk,
    )
    assert response.status_code == 200
    assert _fresh(case).deferred_by == world.c.inspector


def test_it_replays_a_transition_sent_twice_with_a_key(world):
    case = new_case(world)
    key = str(uuid.uuid4())
    first = _step(world.c.street_officer, case, action="accept", client_uuid=key)
    second = _step(world.c.street_officer, case, action="accept", client_uuid=key)
    assert first.status_code == second.status_code == 200
    assert second.json() == first.json()
    assert CaseEvent.objects.filter(case=case, action="accept").count() == 1
    again = _step(world.c.street_officer, case, action="accept")
    assert (again.status_code, again.json()["code"]) == (409, "illegal_state")


def test_it_keeps_the_actions_conflict_error_as_409(world):
    case = new_case(world)
    response = _client(world.c.grid_worker).post(
        "/api/v1/cases/",
        {
            "client_uuid": str(case.client_uuid),
            "category": world.facility.pk,
            "area": world.c.grid1.pk,
            "title": "x",
        },
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_conflict"


def test_it_leaves_the_upload_unattached_when_a_rectify_is_refused(world):
    case = put(new_case(world), "dispatched", world)
    before = CasePhoto.objects.filter(case=case).count()
    upload = stage(_client(world.c.grid_worker))
    response = _step(world.c.grid_worker, case, action="rectify", uploads=[upload])
    assert response.status_code == 403
    assert CasePhoto.objects.filter(case=case).count() == before
    assert Upload.objects.get(pk=upload).attached_at is None
