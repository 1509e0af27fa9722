"""A visit's life: scoring (ranges, who may, exactly once), tiers, feedback; rectification
items closed with evidence, reopened, escalated once."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from juli.core.models import AuditLog
from juli.core.writes import ConflictError
from juli.notify.models import Notification
from juli.observation import actions
from juli.observation.models import (
    ObservationVisit,
    Rectification,
    RectificationEvent,
    RectificationFile,
    ScoreSheet,
)
from juli.observation.tiers import tiers

from .conftest import SCORES, due_today, make_cycle, visit_of

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def world(ow: Any) -> Any:
    c = ow.c
    ow.cycle = make_cycle(c.putuo, actor=c.bureau_secretary)
    ow.visit = due_today(visit_of(ow.cycle, c.branch1))
    return ow


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        (21, "out_of_range"),
        (-1, "out_of_range"),
        ("abc", "out_of_range"),
        (None, "required"),
        (True, "out_of_range"),
        (2.5, "out_of_range"),
    ],
)
def test_it_refuses_a_score_out_of_range_and_writes_nothing(
    world: Any, bad: Any, code: str
) -> None:
    with pytest.raises(actions.ObservationError) as e:
        actions.submit_sheet(world.c.sibling_secretary, world.visit, values={**SCORES, "talk": bad})
    assert e.value.code == code
    assert list(e.value.message_dict) == ["talk"]
    assert not ScoreSheet.objects.exists()


def test_it_takes_one_sheet_per_scorer_and_replays_once(world: Any) -> None:
    key = uuid.uuid4()
    sheet, created = actions.submit_sheet(
        world.c.sibling_secretary, world.visit, values=SCORES, comment="好", client_uuid=key
    )
    assert created and sheet.total == 88 and sheet.visitor_org_id == world.c.branch2.pk
    again, created = actions.submit_sheet(
        world.c.sibling_secretary, world.visit, values={**SCORES, "talk": 1}, client_uuid=key
    )
    assert not created and again.pk == sheet.pk and again.total == 88
    with pytest.raises(actions.ObservationError) as e:
        actions.submit_sheet(world.c.sibling_secretary, world.visit, values=SCORES)
    assert e.value.code == "already_scored"
    with pytest.raises(ConflictError):
        actions.submit_sheet(world.sec3, world.visit, values=SCORES, client_uuid=key)
    assert ScoreSheet.objects.count() == 1


def test_it_refuses_scorers_who_are_not_visiting_officers(world: Any) -> None:
    c = world.c
    for user in (c.branch_secretary, c.bureau_secretary, world.member, c.outsider):
        with pytest.raises(PermissionDenied):
            actions.submit_sheet(user, world.visit, values=SCORES)
    assert not ScoreSheet.objects.exists()


def test_it_refuses_scores_before_the_day_and_after_scoring(world: Any) -> None:
    later = visit_of(world.cycle, world.c.branch2)
    ObservationVisit.objects.filter(pk=later.pk).update(
        scheduled_on=timezone.localdate() + datetime.timedelta(days=3)
    )
    later.refresh_from_db()
    with pytest.raises(actions.ObservationError) as e:
        actions.submit_sheet(world.c.branch_secretary, later, values=SCORES)
    assert e.value.code == "scoring_closed"
    actions.submit_sheet(world.c.sibling_secretary, world.visit, values=SCORES)
    actions.finish_scoring(world.c.bureau_secretary, world.visit)
    with pytest.raises(actions.ObservationError) as e:
        actions.submit_sheet(world.sec3, world.visit, values=SCORES)
    assert e.value.code == "scoring_closed"


def test_it_tiers_the_hosts_by_thirds_with_ties_sharing() -> None:
    assert tiers({1: Decimal(90), 2: Decimal(80), 3: Decimal(70)}) == {
        1: "advanced",
        2: "middle",
        3: "lagging",
    }
    assert tiers({1: Decimal(90)}) == {1: "advanced"}
    assert tiers({1: Decimal(80), 2: Decimal(80), 3: Decimal(60)}) == {
        1: "advanced",
        2: "advanced",
        3: "lagging",
    }
    six = tiers({i: Decimal(100 - i) for i in range(6)})
    assert [six[i] for i in range(6)] == ["advanced"] * 2 + ["middle"] * 2 + ["lagging"] * 2


def test_it_scores_tiers_and_closes_a_visit(world: Any) -> None:
    c = world.c
    b1 = world.visit
    b2 = due_today(visit_of(world.cycle, c.branch2))
    actions.submit_sheet(c.sibling_secretary, b1, values=SCORES)  # 88
    actions.submit_sheet(world.sec3, b1, values={**SCORES, "talk": 15})  # 84
    actions.submit_sheet(c.branch_secretary, b2, values={**SCORES, "listen": 10})  # 80
    with pytest.raises(actions.ObservationError) as e:
        actions.close_visit(c.bureau_secretary, b1, feedback="x")
    assert e.value.code == "illegal_state"
    done = actions.finish_scoring(c.bureau_secretary, b1)
    assert done.average == Decimal("86.00") and done.sheets == 2 and done.tier == "advanced"
    actions.finish_scoring(c.bureau_secretary, b2)
    b1.refresh_from_db()
    b2.refresh_from_db()
    assert (b1.tier, b2.tier) == ("advanced", "lagging")
    with pytest.raises(actions.ObservationError) as e:
        actions.close_visit(c.bureau_secretary, b1, feedback="  ")
    assert e.value.code == "feedback"
    closed = actions.close_visit(c.bureau_secretary, b1, feedback="阵地建设规范，台账齐全。")
    assert closed.status == "closed"
    with pytest.raises(PermissionDenied):
        actions.finish_scoring(c.branch_secretary, visit_of(world.cycle, world.branch3))


def _item(world: Any, days: int = 10) -> Rectification:
    actions.hold_visit(world.c.bureau_secretary, world.visit, shown="党员活动室")
    return actions.add_rectification(
        world.c.bureau_secretary,
        world.visit,
        title="完善三会一课记录",
        owner=world.c.branch_secretary_person,
        deadline=timezone.localdate() + datetime.timedelta(days=days),
    )


def test_it_refuses_an_item_for_someone_outside_the_host(world: Any) -> None:
    actions.hold_visit(world.c.bureau_secretary, world.visit, shown="党员活动室")
    with pytest.raises(actions.ObservationError) as e:
        actions.add_rectification(
            world.c.bureau_secretary,
            world.visit,
            title="x",
            owner=world.c.sibling_secretary_person,
            deadline=None,
        )
    assert set(e.value.message_dict) == {"owner", "deadline"}
    assert not Rectification.objects.exists()


def test_it_closes_an_item_with_evidence_and_reopens_it(world: Any) -> None:
    c = world.c
    item = _item(world)
    assert Notification.objects.filter(
        kind="obs_rect_assigned", recipient=c.branch_secretary
    ).exists()
    with pytest.raises(PermissionDenied):
        actions.close_rectification(c.sibling_secretary, item, note="x")
    with pytest.raises(actions.ObservationError) as e:
        actions.close_rectification(c.branch_secretary, item, note="")
    assert e.value.code == "evidence"
    fake = SimpleUploadedFile("记录.pdf", b"not a pdf at all")
    with pytest.raises(actions.ObservationError) as e:
        actions.close_rectification(c.branch_secretary, item, note="已整改", files=[fake])
    assert not RectificationFile.objects.exists()
    item.refresh_from_db()
    assert item.status == "open"
    pdf = SimpleUploadedFile("记录.pdf", PDF)
    done = actions.close_rectification(c.branch_secretary, item, note="已补齐记录", files=[pdf])
    assert done.status == "closed" and done.closed_on_time
    assert done.files.get().name == "记录.pdf"
    with pytest.raises(actions.ObservationError) as e:
        actions.close_rectification(c.branch_secretary, done, note="again")
    assert e.value.code == "illegal_state"
    with pytest.raises(PermissionDenied):
        actions.reopen_rectification(c.branch_secretary, done, reason="x")
    again = actions.reopen_rectification(c.bureau_secretary, done, reason="照片不清晰")
    assert again.status == "open" and again.closed_at is None
    assert list(
        RectificationEvent.objects.filter(rectification=item).values_list("action", flat=True)
    ) == ["create", "close", "reopen"]
    assert AuditLog.objects.filter(verb="observation.rectification.close").count() == 1


def test_it_escalates_an_overdue_item_once(world: Any) -> None:
    c = world.c
    item = _item(world)
    Rectification.objects.filter(pk=item.pk).update(
        deadline=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert [r.pk for r in actions.escalate_overdue()] == [item.pk]
    assert actions.escalate_overdue() == []
    item.refresh_from_db()
    assert item.escalated_at is not None
    assert RectificationEvent.objects.filter(action="escalate").count() == 1
    assert (
        Notification.objects.filter(kind="obs_rect_escalated", recipient=c.bureau_secretary).count()
        == 1
    )
