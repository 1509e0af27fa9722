"""Two reviewers save the same assessment at once, both from version 1: one wins, the other
gets 409 `stale`, and the winner's review is whole (its adjusted points, its reason, one
review event). Threads against the API; on PostgreSQL (DATABASE_URL) the row lock really
races, on SQLite the writes serialise and the version check alone decides."""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from juli.orgs.models import User
from juli.rating.models import AssessmentEvent, CriterionScore

from .test_review import officer, submit


def _concurrently(sends: list[Any]) -> list[Any]:
    results: list[Any] = [None] * len(sends)
    barrier = threading.Barrier(len(sends))

    def worker(i: int) -> None:
        try:
            barrier.wait()
            results[i] = sends[i]()
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(sends))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _post(user_pk: int, url: str, body: dict[str, Any]) -> Any:
    def send() -> int:
        client = APIClient()
        client.force_authenticate(User.objects.get(pk=user_pk))
        return int(client.post(url, body, format="json").status_code)

    return send


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_one_wins_the_other_is_told(rw: Any) -> None:
    submit(rw.a1)
    second = officer(rw.c, rw.c.putuo, "reviewer2")
    row = rw.a1.scores.get(criterion__title="党员先锋作用")
    url = reverse("api-rating-assessment-review", args=[rw.a1.pk])
    bodies: list[dict[str, Any]] = [
        {"version": 1, "rows": [{"score": row.pk, "points": p, "reason": r}]}
        for p, r in (("20", "甲的理由"), ("10", "乙的理由"))
    ]
    results = _concurrently(
        [_post(rw.c.bureau_secretary.pk, url, bodies[0]), _post(second.pk, url, bodies[1])]
    )
    assert sorted(results) == [200, 409]
    winner = results.index(200)
    row = CriterionScore.objects.get(pk=row.pk)
    expected = bodies[winner]["rows"][0]
    assert (row.review_points, row.review_reason) == (
        Decimal(expected["points"]),
        expected["reason"],
    )
    rw.a1.refresh_from_db()
    assert (rw.a1.status, rw.a1.version) == ("reviewed", 2)
    assert AssessmentEvent.objects.filter(assessment=rw.a1, action="review").count() == 1
