"""督办: overdue dispatched cases are escalated once, with notifications, however often it runs."""

from __future__ import annotations

import datetime
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from juli.cases import actions
from juli.cases.models import Case, CaseEvent
from juli.core.models import AuditLog
from juli.notify import actions as notify_actions
from juli.notify.models import Notification

from .conftest import new_case, put


def _overdue(world) -> Case:  # type: ignore[no-untyped-def]
    case = put(new_case(world), "dispatched", world)
    Case.objects.filter(pk=case.pk).update(deadline=timezone.now() - datetime.timedelta(hours=1))
    return Case.objects.get(pk=case.pk)


def test_it_escalates_an_overdue_case_once_even_when_run_twice(world):
    case = _overdue(world)
    on_time = put(new_case(world), "dispatched", world)  # deadline in 4 hours
    first = actions.escalate_overdue()
    second = actions.escalate_overdue()
    assert [c.pk for c in first] == [case.pk] and second == []
    case.refresh_from_db()
    assert case.escalated_at is not None and case.status == "dispatched"
    assert CaseEvent.objects.filter(case=case, action="escalate").count() == 1
    assert not CaseEvent.objects.filter(case=on_time, action="escalate").exists()
    assert AuditLog.objects.filter(verb="case.escalate").count() == 1
    recipients = set(
        Notification.objects.filter(case=case, kind="escalated").values_list(
            "recipient__username", flat=True
        )
    )
    assert recipients == {"unit_staff", "street_officer"}
    assert Notification.objects.filter(kind="escalated").count() == 2


def test_it_does_not_escalate_what_another_run_already_claimed(world):
    case = _overdue(world)
    # Another run claimed it between our SELECT and our UPDATE.
    Case.objects.filter(pk=case.pk).update(escalated_at=timezone.now())
    assert actions.escalate_overdue() == []
    assert not Notification.objects.filter(kind="escalated").exists()


def test_it_ignores_cases_not_being_rectified(world):
    for status in ("rectified", "deferred", "closed"):
        case = put(new_case(world), status, world)
        Case.objects.filter(pk=case.pk).update(deadline=timezone.now() - datetime.timedelta(days=1))
    assert actions.escalate_overdue() == []


def test_it_escalates_again_after_a_fresh_dispatch(world):
    c = world.c
    case = _overdue(world)
    actions.escalate_overdue()
    case = actions.defer_case(c.street_officer, case, requested_by=c.unit_staff, note="雨天")
    case = actions.resume_case(c.street_officer, case)
    assert case.escalated_at is None
    assert case.deadline is not None
    later = case.deadline + datetime.timedelta(minutes=1)
    assert [x.pk for x in actions.escalate_overdue(later)] == [case.pk]
    assert CaseEvent.objects.filter(case=case, action="escalate").count() == 2


def test_it_runs_from_the_command(world):
    _overdue(world)
    out = StringIO()
    call_command("escalate", stdout=out)
    assert out.getvalue().startswith("1 cases escalated.")


def test_it_notifies_the_unit_on_dispatch_and_send_back(world):
    c = world.c
    case = actions.accept_case(c.street_officer, new_case(world))
    actions.dispatch_case(c.street_officer, case, unit=c.property_co)
    note = Notification.objects.get(kind="dispatched")
    assert note.recipient == c.unit_staff and case.number in note.text
    notify_actions.mark_read(c.unit_staff, note)
    note.refresh_from_db()
    assert note.read_at is not None
