"""The cases demo: what it builds over the organisation demo, that it is the same for the same
build date, that every case moved only along the state machine, and that its photos exist.

The world is built once for the module (committed to the test database by a module-scoped
`django_db_setup`, emptied afterwards) for a fixed build day in the past, so that the
assertions do not depend on the day the tests run; each test runs in its own rolled-back
transaction.
"""

from __future__ import annotations

import datetime
import io
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from juli.cases import worktime
from juli.cases.demo import build_cases_demo
from juli.cases.models import (
    TRANSITIONS,
    Case,
    CaseEvent,
    CasePhoto,
    Inspection,
    InspectionAssignment,
    Point,
)
from juli.orgs.demo import build_demo
from juli.orgs.models import User

#: A Monday after the Dragon Boat Festival (Fri 19 – Sun 21 June 2026): the window holds a
#: public holiday on a weekday.
BUILD_DAY = datetime.date(2026, 6, 22)
DAYS = 14
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]

#: Filled by the module's `django_db_setup`: the build's counts and its media folder.
built: dict[str, Any] = {}


def _build(media: Path) -> dict[str, Any]:
    with override_settings(PASSWORD_HASHERS=FAST_HASHER, MEDIA_ROOT=media):
        build_demo(people=0)
        return build_cases_demo(DAYS, today=BUILD_DAY)


@pytest.fixture(scope="module")
def django_db_setup(django_db_setup, django_db_blocker, tmp_path_factory):  # type: ignore[no-untyped-def]
    media = tmp_path_factory.mktemp("demo-media")
    with django_db_blocker.unblock():
        built.update(counts=_build(media), media=media)
        yield
        call_command("flush", interactive=False, verbosity=0)


def midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def fingerprint() -> dict[str, Any]:
    """The cases world without ids, file names or audit times. (An inspection case's client
    id derives from its checklist item's id, equal only on databases equally fresh.)"""

    def rows(qs: Any) -> list[Any]:
        return sorted(qs, key=repr)

    return {
        "points": rows(
            Point.objects.values_list(
                "code",
                "name",
                "area__code",
                "category__code",
                "lat",
                "lng",
                "responsible_unit__name",
                "responsible_person__phone",
                "zero_deduction",
            )
        ),
        "inspections": rows(
            Inspection.objects.values_list(
                "client_uuid",
                "point__code",
                "inspector__username",
                "started_at",
                "submitted_at",
                "lat",
                "lng",
                "far_from_point",
                "deduction",
            )
        ),
        "cases": rows(
            Case.objects.values_list(
                "number",
                "status",
                "source",
                "category__code",
                "point__code",
                "area__code",
                "unit__name",
                "title",
                "reporter__username",
                "reporter_phone",
                "deadline",
                "escalated_at",
            )
        ),
        "events": rows(
            CaseEvent.objects.values_list(
                "case__number",
                "at",
                "actor__username",
                "action",
                "from_status",
                "to_status",
                "note",
            )
        ),
        "photos": rows(
            CasePhoto.objects.values_list(
                "case__number", "kind", "sha256", "taken_at", "created_at"
            )
        ),
        "users": rows(User.objects.values_list("username", "person__phone")),
    }


# --- what it builds ---------------------------------------------------------------------------


def test_it_leaves_cases_in_every_state(db):
    statuses = set(Case.objects.values_list("status", flat=True))
    assert statuses == set(Case.Status.values)
    counts = built["counts"]
    assert {s: counts[f"cases_{s}"] for s in Case.Status.values} == dict(
        Counter(Case.objects.values_list("status", flat=True))
    )


def test_it_reports_cases_from_every_source(db):
    assert set(Case.objects.values_list("source", flat=True)) == set(Case.Source.values)
    public = Case.objects.filter(source=Case.Source.PUBLIC)
    assert not public.filter(reporter__isnull=False).exists()
    assert not public.filter(reporter_phone="").exists()


def test_it_inspects_on_every_working_day_of_the_window_and_on_no_other(db):
    first = BUILD_DAY - datetime.timedelta(days=DAYS)
    calendar = worktime.Calendar()
    workdays = {
        first + datetime.timedelta(days=n)
        for n in range(DAYS)
        if calendar.is_workday(first + datetime.timedelta(days=n))
    }
    inspected = {
        timezone.localtime(at).date()
        for at in Inspection.objects.values_list("started_at", flat=True)
    }
    assert inspected == workdays
    assert datetime.date(2026, 6, 19) not in inspected  # 端午节, a Friday


def test_it_spreads_cases_over_the_days_and_writes_nothing_from_the_build_day_on(db):
    first, end = midnight(BUILD_DAY - datetime.timedelta(days=DAYS)), midnight(BUILD_DAY)
    days = {
        timezone.localtime(at).date() for at in Case.objects.values_list("reported_at", flat=True)
    }
    assert len(days) >= DAYS - 2
    assert not Case.objects.filter(reported_at__lt=first).exists()
    assert not CaseEvent.objects.filter(at__gte=end).exclude(action="escalate").exists()
    assert not CaseEvent.objects.filter(at__gt=end).exists()
    assert not Inspection.objects.filter(submitted_at__gte=end).exists()
    # The build day has its plan: the inspectors' "today's points".
    assert InspectionAssignment.objects.filter(date=BUILD_DAY).exists()
    assert not Inspection.objects.filter(assignment__date=BUILD_DAY).exists()


def test_it_moves_every_case_only_along_the_state_machine(db):
    paths: dict[int, list[CaseEvent]] = defaultdict(list)
    for event in CaseEvent.objects.order_by("at", "id"):
        paths[event.case_id].append(event)
    assert set(paths) == set(Case.objects.values_list("pk", flat=True))
    for case in Case.objects.all():
        events = paths[case.pk]
        report, *steps = events
        assert (report.action, report.from_status) == ("report", "")
        state = report.to_status
        for event in steps:
            assert event.from_status == state, (case.number, event.action)
            if event.action == "escalate":
                assert event.to_status == state == Case.Status.DISPATCHED
                continue
            move = TRANSITIONS[event.action]
            assert state in move.sources and event.to_status == move.target, (case.number, event)
            state = event.to_status
        assert state == case.status


def test_it_has_someone_else_verify_every_rectification(db):
    for case in Case.objects.filter(verified_by__isnull=False):
        assert case.verified_by_id != case.rectified_by_id


def test_it_escalates_overdue_cases_once_per_deadline_soon_after_it(db):
    escalations = CaseEvent.objects.filter(action="escalate")
    assert escalations.exists()
    seen: set[tuple[int, str]] = set()
    for event in escalations:
        deadline = datetime.datetime.fromisoformat(event.data["deadline"])
        # Overdue from the deadline, or from a send-back after it; the run is hourly through
        # the day and at midnight: never before, never long after.
        back_in_hand = (
            CaseEvent.objects.filter(case=event.case_id, at__lte=event.at, to_status="dispatched")
            .exclude(action="escalate")
            .latest("at", "id")
            .at
        )
        overdue_from = max(deadline, back_in_hand)
        assert deadline < event.at <= overdue_from + datetime.timedelta(hours=8)
        assert (event.case_id, event.data["deadline"]) not in seen
        seen.add((event.case_id, event.data["deadline"]))
    for case in Case.objects.filter(escalated_at__isnull=False):
        assert case.escalated_at is not None
        assert escalations.filter(case=case, at=case.escalated_at).count() == 1


def test_it_keeps_the_photos_of_rectified_cases_on_disk(db):
    rectified = set(
        CaseEvent.objects.filter(action="rectify").values_list("case_id", flat=True).distinct()
    )
    assert rectified
    with_after = set(
        CasePhoto.objects.filter(kind=CasePhoto.Kind.AFTER).values_list("case_id", flat=True)
    )
    assert rectified <= with_after
    media: Path = built["media"]
    for photo in CasePhoto.objects.all():
        assert photo.file.name is not None
        assert (media / photo.file.name).is_file(), photo.file.name
        assert (photo.width, photo.height) == (64, 48)


def test_it_builds_the_same_world_for_the_same_build_day(db, tmp_path):
    first = fingerprint()
    call_command("flush", interactive=False, verbosity=0)
    assert Case.objects.count() == 0
    _build(tmp_path)
    assert fingerprint() == first


def test_it_refuses_a_build_day_in_the_future(db):
    with pytest.raises(ValueError, match="today at the latest"):
        build_cases_demo(2, today=timezone.localdate() + datetime.timedelta(days=1))


def test_it_is_built_by_the_demo_command_after_the_organisations(db, tmp_path):
    call_command("flush", interactive=False, verbosity=0)
    out = io.StringIO()
    with override_settings(PASSWORD_HASHERS=FAST_HASHER, MEDIA_ROOT=tmp_path):
        call_command("demo", "--people", "0", "--days", "2", stdout=out)
    assert "Demo world built" in out.getvalue()
    assert "2 days of inspections and cases built" in out.getvalue()
    assert "gml_officer" in out.getvalue()
    assert Point.objects.count() == 49
