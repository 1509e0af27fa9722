"""Every page and endpoint of the sample app: anonymous, outsider, a role that sees but may not
change, the right role; a refusal changes nothing."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.test import Client

from juli.core.models import AuditLog, Submission
from juli.notify.models import Notification
from juli.sampleapp.models import Note, NoteEvent

from .conftest import file_note


def state() -> list[Any]:
    return [
        list(Note.objects.order_by("pk").values_list("pk", "status", "content_hash")),
        NoteEvent.objects.count(),
        AuditLog.objects.count(),
        Notification.objects.count(),
        Submission.objects.count(),
    ]


def _client(cast: Any, name: str | None) -> Client:
    client = Client()
    if name is not None:
        client.force_login(getattr(cast, name))
    return client


# (user, status of GET list / detail / new form)
PAGES = [
    ("street_officer", 200, 200, 200),
    ("grid_worker", 200, 404, 200),  # the note lies in the street, above grid 1
    ("district_admin", 200, 200, 200),
    ("platform_admin", 200, 200, 200),
    ("outsider", 200, 404, 404),
]


@pytest.mark.parametrize(("name", "listed", "detail", "form"), PAGES)
def test_it_scopes_the_pages(cast: Any, name: str, listed: int, detail: int, form: int) -> None:
    note = file_note(cast)
    client = _client(cast, name)
    response = client.get("/sample/notes/")
    assert response.status_code == listed
    assert (f'href="/sample/notes/{note.pk}/"' in response.content.decode()) == (detail == 200)
    assert client.get(f"/sample/notes/{note.pk}/").status_code == detail
    assert client.get("/sample/notes/new/").status_code == form


@pytest.mark.parametrize("path", ["/sample/notes/", "/sample/notes/new/", "/sample/notes/{pk}/"])
def test_it_sends_anonymous_visitors_to_the_login_page(cast: Any, path: str) -> None:
    note = file_note(cast)
    response = Client().get(path.format(pk=note.pk))
    assert (response.status_code, response["Location"].split("?")[0]) == (302, "/login/")


# (user, answer of POST sign)
SIGNERS = [
    (None, 302),
    ("outsider", 404),
    ("grid_worker", 404),
    ("inspector", 403),  # sees the street's note, holds no office post
    ("street_officer", 302),
]


@pytest.mark.parametrize(("name", "answer"), SIGNERS)
def test_it_lets_only_office_roles_over_the_area_sign(
    cast: Any, name: str | None, answer: int
) -> None:
    note = file_note(cast)
    client = _client(cast, name)
    before = state()
    response = client.post(f"/sample/notes/{note.pk}/sign/")
    assert response.status_code == answer
    if name == "street_officer":
        assert response["Location"] == f"/sample/notes/{note.pk}/"
        assert Note.objects.get(pk=note.pk).status == "signed"
    else:
        assert state() == before


def _body(cast: Any, **over: Any) -> dict[str, Any]:
    return {
        "area": cast.dapuqiao.pk,
        "title": "街道巡查",
        "text": "正常",
        "happened_on": "2026-05-04",
        "client_uuid": str(uuid.uuid4()),
        **over,
    }


# (user, answer of POST /api/v1/sample/notes/ for an area of Dapuqiao street)
WRITERS = [
    (None, 401),
    ("outsider", 403),  # no such area in the caller's scope
    ("unit_staff", 403),
    ("street_officer", 201),
    ("grid_worker", 201),  # files in its own grid
]


@pytest.mark.parametrize(("name", "answer"), WRITERS)
def test_it_files_notes_over_the_api_only_in_the_callers_scope(
    cast: Any, name: str | None, answer: int
) -> None:
    client = _client(cast, name)
    area = cast.grid1 if name == "grid_worker" else cast.dapuqiao
    before = state()
    response = client.post("/api/v1/sample/notes/", _body(cast, area=area.pk), "application/json")
    assert response.status_code == answer, response.content
    if answer == 201:
        note = Note.objects.get()
        assert response.json() == {
            "id": note.pk,
            "area": area.pk,
            "title": "街道巡查",
            "text": "正常",
            "happened_on": "2026-05-04",
            "status": "draft",
            "client_uuid": str(note.client_uuid),
        }
    else:
        assert state() == before
    if answer == 403:
        assert response.json() == {
            "detail": "Your posts do not allow filing a note in this area.",
            "code": "permission_denied",
        }


def test_it_answers_a_replay_from_the_stored_response(cast: Any) -> None:
    client = _client(cast, "street_officer")
    body = _body(cast)
    first = client.post(
        "/api/v1/sample/notes/",
        body,
        "application/json",
        headers={"Idempotency-Key": body["client_uuid"]},
    )
    again = client.post(
        "/api/v1/sample/notes/",
        body,
        "application/json",
        headers={"Idempotency-Key": body["client_uuid"]},
    )
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert (first.get("Idempotent-Replayed"), again["Idempotent-Replayed"]) == (None, "true")
    assert Note.objects.count() == 1
    other = client.post("/api/v1/sample/notes/", {**body, "title": "另一条"}, "application/json")
    assert (other.status_code, other.json()["code"]) == (409, "idempotency_conflict")
    del body["client_uuid"]
    missing = client.post("/api/v1/sample/notes/", body, "application/json")
    assert (missing.status_code, missing.json()["fields"]) == (
        400,
        {"client_uuid": ["This field is required."]},
    )
    assert Note.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "code", "message"),
    [
        ("area", "1", "invalid", "A valid integer is required."),
        ("title", 5, "invalid", "Not a valid string."),
        ("client_uuid", 0, "invalid_idempotency_key", "client_uuid must be a UUID."),
    ],
)
def test_it_refuses_a_value_of_another_json_type(
    cast: Any, field: str, value: Any, code: str, message: str
) -> None:
    client = _client(cast, "street_officer")
    response = client.post(
        "/api/v1/sample/notes/", _body(cast, **{field: value}), "application/json"
    )
    assert (response.status_code, response.json()["code"], response.json()["detail"]) == (
        400,
        code,
        message,
    )
    assert Note.objects.count() == 0
