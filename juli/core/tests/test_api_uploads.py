"""POST /api/v1/uploads/ and GET /api/v1/uploads/{id}/."""

from __future__ import annotations

import uuid

import pytest
from rest_framework.test import APIClient

from juli.core.models import Upload

from .conftest import image_bytes, png_header_only, stored_files, upload_file

URL = "/api/v1/uploads/"
KEY = "6f1c2b0e-8d7a-4c1e-9f2a-0b1c2d3e4f50"


def client_for(user) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def post(client: APIClient, data: bytes, key: str | None = KEY, **extra):  # type: ignore[no-untyped-def]
    body = {"file": upload_file(data)}
    if key is not None:
        body["client_uuid"] = key
    return client.post(URL, body, format="multipart", **extra)


def test_it_creates_then_replays_then_refuses_a_conflict(cast, media) -> None:  # type: ignore[no-untyped-def]
    client = client_for(cast.grid_worker)
    data = image_bytes(size=(64, 48))
    first = post(client, data)
    assert first.status_code == 201
    body = first.json()
    assert sorted(body) == ["height", "id", "lat", "lng", "sha256", "taken_at", "width"]
    assert (body["id"], body["width"], body["height"]) == (KEY, 64, 48)
    assert (body["taken_at"], body["lat"], body["lng"]) == (None, None, None)
    replay = post(client, data)
    assert (replay.status_code, replay.json()) == (200, body)
    conflict = post(client, image_bytes(colour=(0, 0, 255)))
    assert conflict.status_code == 409
    assert conflict.json() == {
        "detail": "This upload id is already used by another photo.",
        "code": "conflict",
    }
    assert Upload.objects.count() == 1
    assert len(stored_files(media)) == 1


def test_it_takes_the_idempotency_key_header(cast) -> None:  # type: ignore[no-untyped-def]
    response = post(client_for(cast.inspector), image_bytes(), key=None, HTTP_IDEMPOTENCY_KEY=KEY)
    assert (response.status_code, response.json()["id"]) == (201, KEY)


def test_it_refuses_a_header_and_body_that_disagree(cast, media) -> None:  # type: ignore[no-untyped-def]
    response = post(
        client_for(cast.inspector), image_bytes(), HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
    )
    assert (response.status_code, response.json()["code"]) == (400, "idempotency_key_mismatch")
    assert stored_files(media) == []


def test_it_needs_a_client_id(cast, media) -> None:  # type: ignore[no-untyped-def]
    response = post(client_for(cast.inspector), image_bytes(), key=None)
    assert (response.status_code, response.json()["code"]) == (400, "missing_client_uuid")
    assert stored_files(media) == []


@pytest.mark.parametrize(
    ("data", "code", "http"),
    [
        (b"", "empty", 400),
        (b"<html><body>hi</body></html>", "not_an_image", 400),
        (png_header_only(20000, 20000), "too_many_pixels", 400),
        (image_bytes(fmt="GIF"), "unsupported_format", 400),
    ],
    ids=["empty", "html", "pixel-bomb", "gif"],
)
def test_it_answers_bad_images_with_detail_and_code(cast, media, data, code, http) -> None:  # type: ignore[no-untyped-def]
    response = post(client_for(cast.inspector), data)
    assert (response.status_code, response.json()["code"]) == (http, code)
    assert response.json()["detail"] != ""
    assert (Upload.objects.count(), stored_files(media)) == (0, [])


def test_it_answers_413_for_a_50_mb_body_before_parsing_it(cast, media) -> None:  # type: ignore[no-untyped-def]
    response = post(client_for(cast.inspector), b"\xff\xd8\xff" + b"\x00" * (50 * 1024 * 1024))
    assert response.status_code == 413
    assert response.json() == {"detail": "The photo is larger than 15 MB.", "code": "too_large"}
    assert (Upload.objects.count(), stored_files(media)) == (0, [])


def test_it_answers_413_for_a_file_just_over_the_cap(cast, media, settings) -> None:  # type: ignore[no-untyped-def]
    settings.JULI_MAX_UPLOAD_BYTES = 1000
    response = post(client_for(cast.inspector), b"\xff\xd8\xff" + b"\x00" * 1000)
    assert (response.status_code, response.json()["code"]) == (413, "too_large")
    assert (Upload.objects.count(), stored_files(media)) == (0, [])


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 401), ("outsider", 403), ("inspector", 201), ("unit_staff", 201)],
)
def test_it_lets_field_and_office_people_upload(cast, media, who, expected) -> None:  # type: ignore[no-untyped-def]
    user = None if who == "anonymous" else getattr(cast, who)
    response = post(client_for(user), image_bytes())
    assert response.status_code == expected
    assert Upload.objects.count() == (1 if expected == 201 else 0)
    if expected != 201:
        assert stored_files(media) == []


def test_it_shows_an_upload_to_its_owner_only(cast) -> None:  # type: ignore[no-untyped-def]
    created = post(client_for(cast.inspector), image_bytes()).json()
    mine = client_for(cast.inspector).get(f"{URL}{KEY}/")
    assert (mine.status_code, mine.json()) == (200, created)
    assert client_for(cast.grid_worker).get(f"{URL}{KEY}/").status_code == 404
    assert client_for(cast.district_admin).get(f"{URL}{KEY}/").status_code == 404
    assert client_for(cast.inspector).get(f"{URL}{uuid.uuid4()}/").status_code == 404
    assert client_for(None).get(f"{URL}{KEY}/").status_code == 401


def test_it_works_with_a_token_and_the_session(cast) -> None:  # type: ignore[no-untyped-def]
    from django.test import Client
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=cast.inspector)
    by_token = APIClient()
    by_token.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert post(by_token, image_bytes()).status_code == 201
    session = Client()
    session.force_login(cast.inspector)
    assert session.get(f"{URL}{KEY}/").status_code == 200
