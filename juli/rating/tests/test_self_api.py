"""The self-assessment's API and to-dos: read, write with a version, submit, upload."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from juli.core import todos
from juli.rating.actions.rounds import assessment_rows
from juli.rating.models import Assessment, ScoreFile

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_it_lists_reads_writes_and_submits(rw: Any) -> None:
    client = api(rw.c.branch_secretary)
    listed = client.get("/api/v1/rating/assessments/", {"round": rw.round.pk})
    assert [a["id"] for a in listed.json()] == [rw.a1.pk]
    detail = client.get(f"/api/v1/rating/assessments/{rw.a1.pk}/").json()
    assert detail["version"] == 1 and detail["editable"] is True
    computed, j1, j2 = detail["rows"]
    assert computed["method"] == "computed" and computed["figure_text"] == "stub 0.81"
    assert computed["sources"][0]["record"] == f"test.x:{rw.c.branch1.pk}"
    url = f"/api/v1/rating/assessments/{rw.a1.pk}/self/"
    ok = client.patch(
        url,
        {"version": 1, "rows": {str(j1["id"]): {"points": 20}, str(j2["id"]): {"points": 10}}},
        format="json",
    )
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = client.patch(url, {"version": 1, "summary": "x"}, format="json")
    assert (stale.status_code, stale.json()["code"]) == (409, "stale")
    bad = client.patch(url, {"version": 2, "rows": {str(j1["id"]): {"points": 31}}}, format="json")
    assert (bad.status_code, bad.json()["code"]) == (400, "out_of_range")
    foreign = assessment_rows(rw.a2)[1].pk
    bad = client.patch(url, {"version": 2, "rows": {str(foreign): {"points": 1}}}, format="json")
    assert (bad.status_code, bad.json()["code"]) == (400, "foreign_row")
    done = client.post(
        f"/api/v1/rating/assessments/{rw.a1.pk}/submit/", {"version": 2}, format="json"
    )
    # (36 + 20 + 10) / 100
    assert done.status_code == 200
    assert (done.json()["status"], Decimal(done.json()["self_score"])) == ("submitted", Decimal(66))
    again = client.post(
        f"/api/v1/rating/assessments/{rw.a1.pk}/submit/", {"version": 3}, format="json"
    )
    assert (again.status_code, again.json()["code"]) == (409, "illegal_state")


@pytest.mark.parametrize(
    ("who", "code"), [("outsider", 404), ("sibling_secretary", 404), ("bureau_secretary", 403)]
)
def test_writes_are_refused_outside_the_branch(rw: Any, who: str, code: int) -> None:
    client = api(getattr(rw.c, who))
    j1 = assessment_rows(rw.a1)[1]
    answer = client.patch(
        f"/api/v1/rating/assessments/{rw.a1.pk}/self/",
        {"version": 1, "rows": {str(j1.pk): {"points": 5}}},
        format="json",
    )
    assert answer.status_code == code
    assert (
        client.post(
            f"/api/v1/rating/assessments/{rw.a1.pk}/submit/", {"version": 1}, format="json"
        ).status_code
        == code
    )
    j1.refresh_from_db()
    assert j1.self_points is None and Assessment.objects.get(pk=rw.a1.pk).version == 1


def test_it_uploads_a_file_once(rw: Any) -> None:
    client = api(rw.c.branch_secretary)
    j1 = assessment_rows(rw.a1)[1]
    url = f"/api/v1/rating/assessments/{rw.a1.pk}/files/"
    key = "6f1c7f3e-8a47-4b61-9a0e-1d2c3b4a5f60"
    first = client.post(
        url,
        {"score": str(j1.pk), "file": SimpleUploadedFile("a.pdf", PDF)},
        format="multipart",
        HTTP_IDEMPOTENCY_KEY=key,
    )
    assert first.status_code == 201 and first.json()["name"] == "a.pdf"
    replay = client.post(
        url,
        {"score": str(j1.pk), "file": SimpleUploadedFile("a.pdf", PDF)},
        format="multipart",
        HTTP_IDEMPOTENCY_KEY=key,
    )
    assert replay.status_code == 201 and ScoreFile.objects.count() == 1
    fake = client.post(
        url, {"score": str(j1.pk), "file": SimpleUploadedFile("b.pdf", b"nope")}, format="multipart"
    )
    assert (fake.status_code, fake.json()["code"]) == (400, "mismatch")
    assert ScoreFile.objects.count() == 1


def test_the_todo_lists_the_assessment_to_fill(rw: Any) -> None:
    kind = next(k for k in todos.kinds() if k.key == "rating.self_fill")
    assert kind.count(rw.c.branch_secretary) == 1
    assert kind.count(rw.c.bureau_secretary) == 0
    items = kind.items(rw.c.branch_secretary, 10, 0)
    assert items[0].url == f"/rating/assessments/{rw.a1.pk}/"
    assert items[0].due is not None and items[0].due.date().isoformat() == "2026-12-20"
