"""Every hand-over of the case loop is told (issue 14): whoever must act next gets exactly one
bell row, the actor none; a channel that takes the kind gets one delivery; a replay adds
nothing. (The bell pages themselves: test_notifications.py; languages:
juli/notify/tests/test_reader_language.py.)"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

import pytest
from django.utils import timezone

from juli.cases import actions, handover
from juli.cases.inspections import submit_inspection
from juli.cases.models import Case
from juli.notify import actions as notify_actions
from juli.notify.models import Delivery, Notification

from .conftest import new_case, photo

CASE_KINDS = [
    "reported",
    "dispatched",
    "rectified",
    "verified",
    "closed",
    "rejected",
    "sent_back",
    "deferred",
    "reopened",
    "escalated",
]


@pytest.fixture
def channel(world):  # type: ignore[no-untyped-def]
    """The street's e-mail channel, subscribed to every kind of the loop."""
    return notify_actions.create_channel(
        None,
        world.c.dapuqiao,
        name="街道城运",
        kind="email",
        target="cy@example.cn",
        kinds=CASE_KINDS,
        covers_subtree=True,
    )


@pytest.fixture
def quiet_channel(world):  # type: ignore[no-untyped-def]
    """A channel of the same street that takes only the daily bulletin."""
    return notify_actions.create_channel(
        None,
        world.c.dapuqiao,
        name="只收通报",
        kind="email",
        target="tb@example.cn",
        kinds=["bulletin"],
        covers_subtree=True,
    )


def _told(case: Case, kind: str) -> list[str]:
    return sorted(
        Notification.objects.filter(case=case, kind=kind).values_list(
            "recipient__username", flat=True
        )
    )


def _deliveries(case: Case, kind: str) -> list[str]:
    return sorted(
        Delivery.objects.filter(kind=kind, event_key__startswith=f"case:{case.pk}:").values_list(
            "channel__name", flat=True
        )
    )


def _walk_to_verified(world) -> Case:  # type: ignore[no-untyped-def]
    c = world.c
    case = new_case(world)
    case = actions.accept_case(c.street_officer, case)
    case = actions.dispatch_case(c.street_officer, case, unit=c.property_co)
    case = actions.rectify_case(c.unit_staff, case, note="已清理", photos=[photo((0, 255, 0))])
    return actions.verify_case(c.inspector, case)


def test_it_tells_each_next_person_once_along_the_whole_loop(world, channel, quiet_channel):  # type: ignore[no-untyped-def]
    c = world.c
    case = new_case(world)  # by the grid worker
    assert _told(case, "reported") == ["street_officer"]
    case = actions.accept_case(c.street_officer, case)
    assert Notification.objects.filter(case=case).count() == 1  # accepting tells nobody
    case = actions.dispatch_case(c.street_officer, case, unit=c.property_co)
    assert _told(case, "dispatched") == ["unit_staff"]
    case = actions.rectify_case(c.unit_staff, case, note="已清理", photos=[photo((0, 255, 0))])
    assert _told(case, "rectified") == ["inspector", "street_officer"]
    case = actions.verify_case(c.inspector, case)
    assert _told(case, "verified") == ["street_officer"]
    case = actions.close_case(c.street_officer, case)
    assert _told(case, "closed") == ["grid_worker"]
    kinds = ["reported", "dispatched", "rectified", "verified", "closed"]
    assert Notification.objects.filter(case=case).count() == 6
    for kind in kinds:
        assert _deliveries(case, kind) == ["街道城运"]  # once each; never the bulletin-only one
    assert Delivery.objects.filter(channel=quiet_channel).count() == 0
    assert Delivery.objects.count() == 5


def test_it_says_number_title_area_what_to_do_and_the_deadline(world, channel):  # type: ignore[no-untyped-def]
    c = world.c
    case = new_case(world, title="楼道堆物")
    reported = Notification.objects.get(case=case, kind="reported")
    assert reported.text == f"New case {case.number} to accept: 楼道堆物 (蒙西第一微网格)"
    case = actions.accept_case(c.street_officer, case)
    case = actions.dispatch_case(c.street_officer, case, unit=c.property_co)
    assert case.deadline is not None
    deadline = timezone.localtime(case.deadline).strftime("%Y-%m-%d %H:%M")
    dispatched = Notification.objects.get(case=case, kind="dispatched")
    assert (
        dispatched.text == f"Case {case.number} dispatched to you, rectify by {deadline}: 楼道堆物"
    )
    delivery = Delivery.objects.get(kind="dispatched")
    assert delivery.payload["body"].splitlines()[:5] == [
        f"- Case: {case.number} · 楼道堆物",
        "- Area: 蒙西第一微网格",
        "- Responsible unit: 蒙西物业公司",
        f"- Deadline: {deadline}",
        "- To do: Rectify it and upload the after-photos before the deadline.",
    ]


def test_it_tells_the_reporter_why_a_case_was_not_accepted(world, channel):  # type: ignore[no-untyped-def]
    c = world.c
    case = actions.reject_case(c.street_officer, new_case(world), note="不属于受理范围")
    (row,) = Notification.objects.filter(case=case, kind="rejected")
    assert (row.recipient, row.text) == (
        c.grid_worker,
        f"Your report {case.number} was not accepted: 不属于受理范围 (楼道堆物)",
    )
    assert "- Reason: 不属于受理范围" in Delivery.objects.get(kind="rejected").payload["body"]


def test_it_tells_the_unit_of_a_send_back_with_the_reason(world):  # type: ignore[no-untyped-def]
    c = world.c
    case = actions.rectify_case(
        c.unit_staff,
        actions.dispatch_case(
            c.street_officer,
            actions.accept_case(c.street_officer, new_case(world)),
            unit=c.property_co,
        ),
        photos=[photo((0, 255, 0))],
    )
    case = actions.send_back_case(c.inspector, case, note="仍有垃圾")
    (row,) = Notification.objects.filter(case=case, kind="sent_back")
    assert row.recipient == c.unit_staff
    assert row.text.startswith(f"Case {case.number} sent back, rectify again by ")
    assert row.text.endswith(": 仍有垃圾")


def test_it_tells_the_unit_when_deferred_resumed_and_reopened(world):  # type: ignore[no-untyped-def]
    c = world.c
    case = actions.dispatch_case(
        c.street_officer,
        actions.accept_case(c.street_officer, new_case(world)),
        unit=c.property_co,
    )
    case = actions.defer_case(c.street_officer, case, requested_by=c.unit_staff, note="待雨停")
    assert _told(case, "deferred") == ["unit_staff"]
    case = actions.resume_case(c.street_officer, case)
    assert _told(case, "dispatched") == ["unit_staff", "unit_staff"]  # dispatched, resumed
    texts = set(Notification.objects.filter(kind="dispatched").values_list("text", flat=True))
    assert any(t.startswith(f"Case {case.number} resumed, rectify by ") for t in texts)
    case = actions.rectify_case(c.unit_staff, case, photos=[photo((0, 255, 0))])
    case = actions.verify_case(c.inspector, case)
    case = actions.close_case(c.street_officer, case)
    case = actions.reopen_case(c.street_officer, case, note="问题复发")
    (row,) = Notification.objects.filter(case=case, kind="reopened")
    assert (row.recipient, row.text) == (
        c.unit_staff,
        f"Case {case.number} reopened, it will be dispatched again: 问题复发",
    )


def test_it_never_tells_the_actor_of_their_own_step(world):  # type: ignore[no-untyped-def]
    c = world.c
    # The officer reports (accepted on the spot: an official's finding) …
    case = actions.report_case(
        c.street_officer,
        client_uuid=uuid.uuid4(),
        category=world.litter,
        area=c.grid1,
        title="占道经营",
    )
    assert not Notification.objects.filter(case=case).exists()
    case = actions.dispatch_case(c.street_officer, case, unit=c.property_co)
    # … and records the rectification on the unit's behalf: the inspector verifies.
    case = actions.rectify_case(c.street_officer, case, photos=[photo((0, 255, 0))])
    assert _told(case, "rectified") == ["inspector"]
    assert not Notification.objects.filter(recipient=c.street_officer).exists()


def test_it_asks_the_office_to_dispatch_an_inspections_finding(world, channel):  # type: ignore[no-untyped-def]
    w = world
    submit_inspection(
        w.c.inspector,
        client_uuid=uuid.uuid4(),
        point=w.point_a,
        results=[(w.item_clean, False, "地面有垃圾", [photo((1, 1, 1))])],
        lat=Decimal("31.200000"),
        lng=Decimal("121.470000"),
        started_at=timezone.now() - datetime.timedelta(minutes=5),
    )
    case = Case.objects.get()
    (row,) = Notification.objects.filter(case=case)
    assert (row.kind, row.recipient) == ("reported", w.c.street_officer)
    assert row.text == f"New case {case.number} to dispatch: 菜场A：地面无垃圾 (蒙西第一微网格)"
    assert _deliveries(case, "reported") == ["街道城运"]


def test_it_tells_the_district_where_the_street_has_no_officer(world):  # type: ignore[no-untyped-def]
    c = world.c
    case = actions.report_case(
        None,
        client_uuid=uuid.uuid4(),
        source=Case.Source.PUBLIC,
        category=world.litter,
        area=c.huaihai,  # a street whose office has no officer in Juli
        title="井盖缺失",
        reporter_name="市民",
    )
    assert _told(case, "reported") == ["district_admin"]
    # A public report has no reporting user: closing it tells nobody of the outcome.
    assert handover.reporter(case) == []


def test_a_replayed_step_adds_nothing(world, channel):  # type: ignore[no-untyped-def]
    c = world.c
    case = _walk_to_verified(world)
    rows, deliveries = Notification.objects.count(), Delivery.objects.count()
    now = timezone.now()
    handover.announce_step(case, "verify", "", c.inspector, now)
    handover.announce_step(case, "verify", "", c.inspector, now)  # the same event again
    assert Notification.objects.count() == rows + 1
    assert Delivery.objects.count() == deliveries + 1
    assert _told(case, "verified") == ["street_officer", "street_officer"]
