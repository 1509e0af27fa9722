"""Racing writes of the minutes: two starts give one version 1, two confirmations one
confirmation and one set of make-ups, two revisions one version 2. Threads against the API;
run on SQLite and, with DATABASE_URL, on PostgreSQL (where the row locks really race)."""

from __future__ import annotations

import datetime
import threading
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from juli.meetings.actions.plan import PartSpec
from juli.meetings.models import MakeUp, MeetingEvent, Minutes
from juli.orgs.models import User

from .conftest import make_meeting


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


def _post(user_pk: int, url: str, body: dict[str, Any] | None = None) -> Any:
    def send() -> int:
        client = APIClient()
        client.force_authenticate(User.objects.get(pk=user_pk))
        return int(client.post(url, body or {}, format="json").status_code)

    return send


@pytest.mark.django_db(transaction=True)
def test_racing_starts_confirmations_and_revisions_write_once(mw: Any) -> None:
    meeting = make_meeting(
        mw.c.branch1,
        "party_lecture",
        starts_at=timezone.now() - datetime.timedelta(hours=3),
        actor=mw.c.branch_secretary,
        parts=[PartSpec(presider=mw.member_person, agenda=[("学习", "")])],
    )
    secretary, presider = mw.c.branch_secretary.pk, mw.member.pk
    start = reverse("api-meetings-minutes-start", args=[meeting.pk])
    results = _concurrently([_post(secretary, start) for _ in range(4)])
    assert sorted(results) == [201] * 4  # the others find version 1
    assert Minutes.objects.filter(meeting=meeting).count() == 1
    assert MeetingEvent.objects.filter(meeting=meeting, action="hold").count() == 1

    confirm = reverse("api-meetings-minutes-confirm", args=[meeting.pk])
    results = _concurrently([_post(secretary, confirm), _post(presider, confirm)])
    assert sorted(results) == [200, 409]
    assert MeetingEvent.objects.filter(meeting=meeting, action="confirm").count() == 1
    owing = MakeUp.objects.filter(meeting=meeting)
    assert owing.count() == len(set(owing.values_list("person_id", flat=True))) >= 1

    revise = reverse("api-meetings-minutes-revise", args=[meeting.pk])
    results = _concurrently([_post(secretary, revise, {"reason": f"更正{n}"}) for n in range(3)])
    assert sorted(results) == [201, 409, 409]
    assert list(Minutes.objects.filter(meeting=meeting).values_list("version", flat=True)) == [2, 1]
