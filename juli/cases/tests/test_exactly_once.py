"""Exactly once: repeated and concurrent submissions make one record and one answer."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from juli.cases.models import Case, Inspection
from juli.core.models import Submission
from juli.orgs.models import User

URL = "/api/v1/cases/"


def _client(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(User.objects.get(pk=user.pk))
    return client


def _report(w: Any, key: uuid.UUID, **extra: Any) -> dict[str, Any]:
    return {
        "client_uuid": str(key),
        "category": w.litter.pk,
        "area": w.c.grid1.pk,
        "title": "楼道堆物",
        "description": "三楼楼道",
        **extra,
    }


def test_it_answers_a_repeated_report_with_the_stored_response(world):
    key = uuid.uuid4()
    client = _client(world.c.grid_worker)
    first = client.post(URL, _report(world, key), format="json")
    second = client.post(URL, _report(world, key), format="json")
    assert first.status_code == 201
    assert second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert first.get("Idempotent-Replayed") is None
    assert Case.objects.filter(client_uuid=key).count() == 1
    assert Submission.objects.filter(key=key).count() == 1


def test_it_refuses_the_same_uuid_with_another_body_with_409(world):
    key = uuid.uuid4()
    client = _client(world.c.grid_worker)
    assert client.post(URL, _report(world, key), format="json").status_code == 201
    response = client.post(URL, _report(world, key, title="另一件事"), format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_conflict"
    assert list(Case.objects.values_list("title", flat=True)) == ["楼道堆物"]


def test_it_takes_the_idempotency_key_header_as_the_client_uuid(world):
    key = uuid.uuid4()
    client = _client(world.c.grid_worker)
    body = _report(world, key)
    del body["client_uuid"]
    first = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY=str(key))
    again = client.post(URL, _report(world, key), format="json", HTTP_IDEMPOTENCY_KEY=str(key))
    assert first.status_code == 201
    assert first.json()["client_uuid"] == str(key)
    # The body now also names the key: another body, hence a conflict.
    assert again.status_code == 409
    replay = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY=str(key))
    assert replay.status_code == 201
    assert replay.json() == first.json()
    assert Case.objects.count() == 1


def test_it_refuses_a_header_that_disagrees_with_the_client_uuid(world):
    client = _client(world.c.grid_worker)
    response = client.post(
        URL, _report(world, uuid.uuid4()), format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
    )
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_mismatch"
    assert Case.objects.count() == 0


def test_it_refuses_a_key_that_is_not_a_uuid(world):
    client = _client(world.c.grid_worker)
    body = _report(world, uuid.uuid4())
    del body["client_uuid"]
    response = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="abc")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_idempotency_key"


def test_it_requires_a_submission_key_for_a_report(world):
    body = _report(world, uuid.uuid4())
    del body["client_uuid"]
    response = _client(world.c.grid_worker).post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {
        "client_uuid": ["Send a client_uuid or an Idempotency-Key header."]
    }


def test_it_stores_nothing_for_a_refused_submission_so_it_can_be_corrected(world):
    key = uuid.uuid4()
    client = _client(world.c.grid_worker)
    refused = client.post(URL, _report(world, key, area=world.c.grid2.pk), format="json")
    assert refused.status_code == 400
    assert Submission.objects.count() == 0
    fixed = client.post(URL, _report(world, key), format="json")
    assert fixed.status_code == 201


def test_it_keeps_keys_apart_per_user(world):
    key = uuid.uuid4()
    first = _client(world.c.grid_worker).post(URL, _report(world, key), format="json")
    other = _client(world.c.street_officer).post(URL, _report(world, key), format="json")
    assert first.status_code == 201
    # The officer's key is new to the idempotency layer; the action sees the case's uuid is
    # taken by another reporter and refuses.
    assert other.status_code == 409
    assert other.json()["code"] == "idempotency_conflict"
    assert Case.objects.count() == 1


def test_it_replays_an_inspection_submission(world):
    key = uuid.uuid4()
    body = {
        "client_uuid": str(key),
        "point": world.point_a.pk,
        "started_at": timezone.now().isoformat(),  # inside the accepted window
        "results": [{"item": world.item_clean.pk, "passed": False, "note": "垃圾"}],
    }
    client = _client(world.c.inspector)
    first = client.post("/api/v1/inspections/", body, format="json")
    second = client.post("/api/v1/inspections/", body, format="json")
    assert first.status_code == 201
    assert second.json() == first.json()
    assert Inspection.objects.count() == 1
    assert Case.objects.count() == 1


def _concurrently(n: int, send: Any) -> list[Any]:
    results: list[Any] = [None] * n
    barrier = threading.Barrier(n)

    def worker(i: int) -> None:
        try:
            barrier.wait()
            results[i] = send()
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_it_makes_one_case_of_ten_concurrent_identical_reports(world):
    key = uuid.uuid4()
    body = _report(world, key)
    user_pk = world.c.grid_worker.pk

    def send() -> tuple[int, Any]:
        client = APIClient()
        client.force_authenticate(User.objects.get(pk=user_pk))
        response = client.post(URL, body, format="json")
        return response.status_code, response.json()

    results = _concurrently(10, send)
    assert [r for r in results if isinstance(r, Exception)] == []
    assert {status for status, _ in results} == {201}
    bodies = [b for _, b in results]
    assert all(b == bodies[0] for b in bodies)
    assert Case.objects.filter(client_uuid=key).count() == 1
    assert Case.objects.count() == 1
    assert Submission.objects.count() == 1
    assert bodies[0]["number"] == Case.objects.get().number
