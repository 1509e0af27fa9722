"""Reminders before a deadline, never blame after: the branch is reminded once, a week
before the quarter ends, of the party lecture it has not held; not earlier, not twice, not
after the quarter; not when the lecture was held with confirmed minutes."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from juli.core import schedule
from juli.meetings.actions import rules
from juli.meetings.models import Attendee, MakeUp, Meeting
from juli.notify.models import Notification
from juli.orgs.models import PartyOrg

from .conftest import at, make_meeting

D = datetime.date


def held(org: PartyOrg, kind: str, day: datetime.date) -> Meeting:
    m = make_meeting(org, kind, starts_at=at(day), with_members=False, announce=False)
    Meeting.objects.filter(pk=m.pk).update(status="confirmed")
    return m


@pytest.fixture
def world(mw: Any) -> Any:
    c = mw.c
    PartyOrg.objects.filter(path__startswith=c.putuo.path).update(founded_on=D(2000, 7, 1))
    c.branch1.refresh_from_db()
    # Q2: the lecture was held; 冯党员 missed it and made it up (the record shows both).
    lecture = held(c.branch1, "party_lecture", D(2024, 5, 10))
    absent = Attendee.objects.create(
        meeting=lecture, person=c.member_person, name="冯党员", source="member", status="absent"
    )
    MakeUp.objects.create(
        attendee=absent, meeting=lecture, person=c.member_person, status="confirmed"
    )
    # Everything monthly of September is held, so only the quarter's kinds are due.
    for kind in ("branch_committee", "theme_day"):
        held(c.branch1, kind, D(2024, 9, 3))
    held(c.branch1, "branch_assembly", D(2024, 8, 1))
    held(c.group1, "group_meeting", D(2024, 9, 3))
    return mw


def lecture_reminders(user: Any) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user, kind="meetings_due")
        .filter(event_key__contains=":party_lecture:")
        .values_list("event_key", flat=True)
    )


def test_it_reminds_the_branch_once_a_week_before_the_quarter_ends(world):
    c = world.c
    rules.send_reminders(D(2024, 9, 23))  # eight days ahead: not yet
    assert lecture_reminders(c.branch_secretary) == []
    rules.send_reminders(D(2024, 9, 24))  # 30 Sep is six days away
    key = f"meetings-due:{c.branch1.pk}:party_lecture:2024Q3"
    assert lecture_reminders(c.branch_secretary) == [key]
    n = Notification.objects.count()
    rules.send_reminders(D(2024, 9, 24))
    rules.send_reminders(D(2024, 9, 30))
    assert Notification.objects.count() == n  # once
    # the sibling branch's secretary hears of their own branch only
    assert lecture_reminders(c.sibling_secretary) == [
        f"meetings-due:{c.branch2.pk}:party_lecture:2024Q3"
    ]
    assert lecture_reminders(c.bureau_secretary) == []
    note = Notification.objects.get(recipient=c.branch_secretary, event_key=key)
    assert "2024-09-30" in note.text
    assert note.url.endswith(f"?org={c.branch1.pk}")


def test_it_never_blames_after_the_deadline(world):
    rules.send_reminders(D(2024, 10, 1))
    rules.send_reminders(D(2024, 10, 8))
    assert lecture_reminders(world.c.branch_secretary) == []
    assert not Notification.objects.filter(
        recipient=world.c.branch_secretary, event_key__contains="2024Q3"
    ).exists()


def test_it_does_not_remind_what_was_held(world):
    held(world.c.branch1, "party_lecture", D(2024, 9, 12))
    rules.send_reminders(D(2024, 9, 26))
    assert lecture_reminders(world.c.branch_secretary) == []
    # …while the sibling branch, which held nothing, is reminded of its own.
    keys = set(
        Notification.objects.filter(recipient=world.c.sibling_secretary).values_list(
            "event_key", flat=True
        )
    )
    assert f"meetings-due:{world.c.branch2.pk}:party_lecture:2024Q3" in keys


def test_it_does_not_count_minutes_in_draft(world):
    m = held(world.c.branch1, "party_lecture", D(2024, 9, 12))
    Meeting.objects.filter(pk=m.pk).update(status="held")
    rules.send_reminders(D(2024, 9, 26))
    assert len(lecture_reminders(world.c.branch_secretary)) == 1


def test_the_job_is_scheduled_daily():
    job = next(j for j in schedule.registered() if j.name == "meetings-due")
    assert (job.task_path, job.at) == (
        "juli.meetings.tasks.remind_due_meetings",
        datetime.time(8, 0),
    )


def test_the_bench_lists_what_is_due_within_two_weeks(world):
    from juli.core import todos
    from juli.meetings import todos_rules

    c = world.c
    kind = todos.kind_for(c.branch_secretary, "meetings.due")
    assert kind is not None
    assert todos.kind_for(world.member, "meetings.due") is None
    assert todos.kind_for(c.outsider, "meetings.due") is None
    assert todos_rules.due_items(c.branch_secretary, D(2024, 9, 15)) == []  # 15 days ahead
    due = todos_rules.due_items(c.branch_secretary, D(2024, 9, 17))
    assert [(d.org.name, d.kind) for d in due] == [("第一党支部", "party_lecture")]
    assert todos_rules.due_items(c.branch_secretary, D(2024, 10, 1)) == []
