"""Fifty attendees signing in at the same moment give exactly fifty rows; one person's two
racing sign-ins give one. Threads against the API, as phones would; run on SQLite and, with
DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

import datetime
import threading
import uuid
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from juli.core.models import AuditLog
from juli.meetings import signin
from juli.meetings.models import Attendee
from juli.meetings.tests.conftest import make_meeting
from juli.orgs import actions as org_actions
from juli.orgs.models import User

URL = "/api/v1/meetings/signin/"


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


def _sender(user_pk: int, code: str, key: uuid.UUID) -> Any:
    def send() -> int:
        client = APIClient()
        client.force_authenticate(User.objects.get(pk=user_pk))
        response = client.post(URL, {"code": code, "client_uuid": str(key)}, format="json")
        return int(response.status_code)

    return send


@pytest.mark.django_db(transaction=True)
def test_it_records_fifty_simultaneous_sign_ins_as_fifty_rows(mw: Any) -> None:
    users = []
    for n in range(50):
        person = org_actions.create_person(
            None,
            name=f"党员{n:02d}",
            phone=f"139{n:08d}",
            party_org=mw.c.branch1,
            political_status="member",
        )
        users.append(
            org_actions.create_account(None, person, f"m{n:02d}", "x", validate_password=False)
        )
    # Half of them joined after the meeting was planned: their rows are added at sign-in.
    meeting = make_meeting(mw.c.branch1, starts_at=timezone.now() + datetime.timedelta(minutes=10))
    Attendee.objects.filter(meeting=meeting, person__in=[u.person for u in users[25:]]).delete()
    code = signin.screen_code(meeting)
    results = _concurrently([_sender(u.pk, code, uuid.uuid4()) for u in users])
    assert results == [201] * 50
    signed = Attendee.objects.filter(meeting=meeting, status="present")
    assert signed.count() == 50
    assert (
        Attendee.objects.filter(meeting=meeting, person__in=[u.person for u in users]).count() == 50
    )
    assert AuditLog.objects.filter(verb="meeting.sign_in").count() == 50


@pytest.mark.django_db(transaction=True)
def test_it_records_one_persons_racing_sign_ins_once(mw: Any) -> None:
    meeting = make_meeting(mw.c.branch1, starts_at=timezone.now() + datetime.timedelta(minutes=10))
    code = signin.screen_code(meeting)
    same = uuid.uuid4()
    sends = [_sender(mw.member.pk, code, same) for _ in range(3)]
    sends += [_sender(mw.member.pk, code, uuid.uuid4()) for _ in range(3)]
    results = _concurrently(sends)
    assert [r for r in results if isinstance(r, Exception)] == []
    # One sign-in is written. Its key's replays answer 201 too when they come after it;
    # a request that found the person signed in answers 200, and so do its key's replays.
    assert set(results) <= {200, 201}
    assert 201 in results
    assert Attendee.objects.filter(meeting=meeting, person=mw.member_person).count() == 1
    assert Attendee.objects.filter(meeting=meeting, status="present").count() == 1
    assert AuditLog.objects.filter(verb="meeting.sign_in").count() == 1
