"""The organiser's side of a round: review (ranges, reasons, foreign rows and vetoes,
versions), return, public notice over working days, objections, reopen, publication and
freezing, star changes. Every refusal writes nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from juli.cases.models import CalendarDay
from juli.core.models import AuditLog
from juli.notify.models import Notification
from juli.orgs import actions as org_actions
from juli.orgs.roles import Role
from juli.rating.actions import review as rv
from juli.rating.actions.rounds import assessment_rows
from juli.rating.models import (
    Assessment,
    AssessmentEvent,
    CriterionScore,
    Objection,
    RatingRound,
    StarChange,
    VetoFinding,
)

from .conftest import make_round, make_standard

pytestmark = pytest.mark.django_db


def submit(a: Assessment, judged: tuple[str, str] = ("25", "20")) -> Assessment:
    """The branch's part, written directly (the self-assessment helper owns the action):
    judged self points and the status SUBMITTED."""
    rows = assessment_rows(a)
    for row, points in zip(rows[1:], judged, strict=True):
        row.self_points = Decimal(points)
        row.save(update_fields=["self_points"])
    Assessment.objects.filter(pk=a.pk).update(status=Assessment.Status.SUBMITTED)
    a.refresh_from_db()
    return a


def officer(c: Any, org: Any, username: str, *, member_of: Any = None) -> Any:
    person = org_actions.create_person(
        None,
        name=f"审{username}",
        phone=f"139{abs(hash(username)) % 10**8:08d}",
        party_org=member_of,
    )
    org_actions.appoint(
        None, person, Role.ORG_OFFICER, org=org, started_on=datetime.date(2024, 1, 1)
    )
    return org_actions.create_account(
        None, person, username, "juli-test-Pass1", validate_password=False
    )


@pytest.fixture
def w(rw: SimpleNamespace) -> SimpleNamespace:
    rw.figures[rw.c.branch2.pk] = Decimal("0.9")
    rv.scoring.measure(rw.round)
    rw.reviewer = rw.c.bureau_secretary
    submit(rw.a1)
    submit(rw.a2, ("30", "30"))
    rw.rows1 = assessment_rows(rw.a1)
    rw.veto = rw.standard.vetoes.get()
    return rw


def state(a: Assessment) -> tuple[Any, ...]:
    a.refresh_from_db()
    return (
        a.status,
        a.version,
        a.score,
        a.stars,
        sorted(a.scores.values_list("review_points", "review_reason"), key=str),
        a.vetoes.count(),
        AssessmentEvent.objects.filter(assessment=a).count(),
    )


def test_it_reviews_with_an_adjusted_score_and_a_veto(w: SimpleNamespace) -> None:
    computed, judged1, _judged2 = w.rows1
    done = rv.review(
        w.reviewer,
        w.a1,
        rows={judged1.pk: {"points": "20", "reason": "台账不全"}},
        vetoes=[{"veto_id": w.veto.pk, "reason": "发生违纪案件"}],
        note="总体较好",
        version=1,
    )
    # 36 (computed) + 20 (adjusted from 25) + 20 = 76 of 100; 3 stars from 80 → 2; veto caps 2
    assert (done.status, done.score, done.stars, done.version) == (
        "reviewed",
        Decimal("76.00"),
        2,
        2,
    )
    judged1.refresh_from_db()
    assert (judged1.review_points, judged1.review_reason) == (Decimal("20.00"), "台账不全")
    assert VetoFinding.objects.get(assessment=w.a1).reason == "发生违纪案件"
    assert AuditLog.objects.filter(verb="rating.assessment.review").count() == 1
    assert (
        Notification.objects.filter(kind="rating_reviewed", recipient=w.c.branch_secretary).count()
        == 1
    )


def test_it_gives_stars_from_thresholds_and_caps_by_veto(w: SimpleNamespace) -> None:
    done = rv.review(w.reviewer, w.a2, version=1)
    assert (done.score, done.stars) == (Decimal("100.00"), 5)
    done = rv.review(w.reviewer, done, vetoes=[{"veto_id": w.veto.pk, "reason": "违纪"}], version=2)
    assert (done.score, done.stars) == (Decimal("100.00"), 2)
    done = rv.review(w.reviewer, done, vetoes=[], version=3)
    assert done.stars == 5 and not done.vetoes.exists()


@pytest.mark.parametrize(
    ("points", "reason", "code"),
    [
        ("31", "太高", "out_of_range"),
        ("-1", "负数", "out_of_range"),
        ("10.005", "小数", "out_of_range"),
        ("abc", "x", "invalid"),
        ("10", "", "reason_required"),
    ],
)
def test_it_refuses_bad_points_and_writes_nothing(
    w: SimpleNamespace, points: str, reason: str, code: str
) -> None:
    before = state(w.a1)
    with pytest.raises(rv.ReviewError) as e:
        rv.review(
            w.reviewer, w.a1, rows={w.rows1[1].pk: {"points": points, "reason": reason}}, version=1
        )
    assert e.value.code == code
    assert state(w.a1) == before


def test_it_refuses_a_row_or_veto_of_another_standard(w: SimpleNamespace, cast: Any) -> None:
    other = make_standard(cast.putuo, year=2025)
    other_round = make_round(cast.putuo, other, year=2025)
    foreign_row = other_round.assessments.get(org=cast.branch1).scores.all()[0]
    before = state(w.a1)
    with pytest.raises(rv.ReviewError) as e:
        rv.review(
            w.reviewer, w.a1, rows={foreign_row.pk: {"points": "1", "reason": "x"}}, version=1
        )
    assert e.value.code == "foreign_row"
    with pytest.raises(rv.ReviewError) as e:
        rv.review(
            w.reviewer, w.a1, vetoes=[{"veto_id": other.vetoes.get().pk, "reason": "x"}], version=1
        )
    assert e.value.code == "foreign_veto"
    with pytest.raises(rv.ReviewError) as e:
        rv.review(w.reviewer, w.a1, vetoes=[{"veto_id": w.veto.pk, "reason": " "}], version=1)
    assert e.value.code == "reason_required"
    assert state(w.a1) == before


def test_it_refuses_a_stale_version(w: SimpleNamespace) -> None:
    rv.review(w.reviewer, w.a1, version=1)
    before = state(w.a1)
    with pytest.raises(rv.ReviewError) as e:
        rv.review(w.reviewer, w.a1, rows={w.rows1[1].pk: {"points": "1", "reason": "x"}}, version=1)
    assert e.value.code == "stale"
    assert state(w.a1) == before


def test_a_reviewer_cannot_review_their_own_branch(w: SimpleNamespace, cast: Any) -> None:
    insider = officer(cast, cast.putuo, "insider", member_of=cast.branch1)
    before = state(w.a1)
    with pytest.raises(PermissionDenied):
        rv.review(insider, w.a1, version=1)
    with pytest.raises(PermissionDenied):
        rv.review(cast.branch_secretary, w.a1, version=1)
    with pytest.raises(PermissionDenied):
        rv.review(cast.sibling_secretary, w.a1, version=1)
    assert state(w.a1) == before
    # the same officer reviews the other branch
    assert rv.review(insider, w.a2, version=1).status == "reviewed"


def test_it_refuses_illegal_moves(w: SimpleNamespace) -> None:
    Assessment.objects.filter(pk=w.a1.pk).update(status=Assessment.Status.DRAFT)
    with pytest.raises(rv.ReviewError) as e:
        rv.review(w.reviewer, w.a1, version=1)
    assert e.value.code == "illegal_state"
    with pytest.raises(rv.ReviewError) as e:
        rv.return_to_branch(w.reviewer, w.a1, reason="补充材料")
    assert e.value.code == "illegal_state"


def test_it_refuses_an_incomplete_review(w: SimpleNamespace) -> None:
    CriterionScore.objects.filter(pk=w.rows1[2].pk).update(self_points=None)
    with pytest.raises(rv.ReviewError) as e:
        rv.review(w.reviewer, w.a1, version=1)
    assert e.value.code == "incomplete"
    # the reviewer scores it (no reason needed: the branch gave none)
    done = rv.review(w.reviewer, w.a1, rows={w.rows1[2].pk: {"points": "10"}}, version=1)
    assert done.score == Decimal("71.00")


def test_it_returns_to_the_branch_with_a_reason(w: SimpleNamespace) -> None:
    with pytest.raises(rv.ReviewError) as e:
        rv.return_to_branch(w.reviewer, w.a1, reason="  ")
    assert e.value.code == "reason_required"
    done = rv.return_to_branch(w.reviewer, w.a1, reason="请补充佐证材料", version=1)
    assert (done.status, done.version) == ("returned", 2)
    assert AssessmentEvent.objects.get(assessment=w.a1, action="return").note == "请补充佐证材料"


# --- the round ---------------------------------------------------------------------------------


def review_all(w: SimpleNamespace) -> None:
    rv.review(w.reviewer, w.a1, version=1)
    rv.review(w.reviewer, w.a2, version=1)


def test_publicity_waits_for_every_review_and_names_them(w: SimpleNamespace) -> None:
    rv.review(w.reviewer, w.a1, version=1)
    with pytest.raises(rv.ReviewError) as e:
        rv.start_publicity(w.reviewer, w.round, starts_on=datetime.date(2026, 12, 21))
    assert e.value.code == "not_reviewed"
    assert "第二党支部" in e.value.messages[0]
    w.round.refresh_from_db()
    assert w.round.status == "open" and w.round.publicity_ends is None


def test_publicity_runs_working_days_and_ranks(w: SimpleNamespace) -> None:
    review_all(w)
    # Mon 2026-09-28; 10-01..10-07 national holiday, Sat 10-10 an adjusted working day
    for d in range(1, 8):
        CalendarDay.objects.create(date=datetime.date(2026, 10, d), kind="holiday")
    CalendarDay.objects.create(date=datetime.date(2026, 10, 10), kind="workday")
    round_ = rv.start_publicity(w.reviewer, w.round, starts_on=datetime.date(2026, 9, 28))
    # 9-28, 9-29, 9-30, 10-08, 10-09 → five working days
    assert (round_.publicity_starts, round_.publicity_ends) == (
        datetime.date(2026, 9, 28),
        datetime.date(2026, 10, 9),
    )
    assert rv.notice_end(datetime.date(2026, 10, 3), 3) == datetime.date(2026, 10, 10)
    w.a1.refresh_from_db()
    w.a2.refresh_from_db()
    assert (w.a1.status, w.a1.rank, w.a2.rank) == ("publicity", 2, 1)
    assert Notification.objects.filter(kind="rating_publicity").count() == 2
    with pytest.raises(rv.ReviewError) as e:
        rv.start_publicity(w.reviewer, w.round)
    assert e.value.code == "illegal_state"


def test_runners_only(w: SimpleNamespace, cast: Any) -> None:
    review_all(w)
    with pytest.raises(PermissionDenied):
        rv.start_publicity(cast.branch_secretary, w.round)
    w.round.refresh_from_db()
    assert w.round.status == "open"


@pytest.fixture
def notice(w: SimpleNamespace) -> SimpleNamespace:
    review_all(w)
    today = timezone.localdate()
    rv.start_publicity(w.reviewer, w.round, starts_on=today)
    w.round.refresh_from_db()
    w.a1.refresh_from_db()
    return w


def test_objections_only_during_the_notice_and_once(notice: SimpleNamespace, cast: Any) -> None:
    w = notice
    o = rv.raise_objection(cast.sibling_secretary, w.a1, text="该支部台账存在补记情况")
    assert o.status == "open"
    with pytest.raises(rv.ReviewError) as e:
        rv.raise_objection(cast.sibling_secretary, w.a1, text="该支部台账存在补记情况")
    assert e.value.code == "duplicate"
    with pytest.raises(rv.ReviewError) as e:
        rv.raise_objection(
            cast.sibling_secretary,
            w.a1,
            text="晚了",
            today=w.round.publicity_ends + datetime.timedelta(days=1),
        )
    assert e.value.code == "not_on_notice"
    with pytest.raises(PermissionDenied):
        rv.raise_objection(cast.outsider, w.a1, text="外单位")
    assert Objection.objects.count() == 1
    assert Notification.objects.filter(kind="rating_objection", recipient=w.reviewer).count() == 1


def test_publish_waits_for_the_notice_and_the_answers(notice: SimpleNamespace, cast: Any) -> None:
    w = notice
    o = rv.raise_objection(cast.sibling_secretary, w.a1, text="有异议")
    after = w.round.publicity_ends + datetime.timedelta(days=1)
    with pytest.raises(rv.ReviewError) as e:
        rv.publish(w.reviewer, w.round, today=w.round.publicity_ends)
    assert e.value.code == "notice_running"
    with pytest.raises(rv.ReviewError) as e:
        rv.publish(w.reviewer, w.round, today=after)
    assert e.value.code == "open_objections"
    with pytest.raises(PermissionDenied):
        rv.answer_objection(cast.branch_secretary, o, status="dismissed", answer="x")
    with pytest.raises(rv.ReviewError) as e:
        rv.answer_objection(w.reviewer, o, status="open", answer="x")
    assert e.value.code == "invalid"
    rv.answer_objection(w.reviewer, o, status="dismissed", answer="经核实，台账完整")
    with pytest.raises(rv.ReviewError) as e:
        rv.answer_objection(w.reviewer, o, status="upheld", answer="改判")
    assert e.value.code == "answered"
    with pytest.raises(rv.ReviewError) as e:
        rv.reopen(w.reviewer, w.round, reason="重新评审")
    assert e.value.code == "no_upheld_objection"
    published = rv.publish(w.reviewer, w.round, today=after)
    assert published.status == "published" and published.published_at is not None
    w.a1.refresh_from_db()
    assert (w.a1.status, w.a1.current_stars, w.a1.rank) == ("published", w.a1.stars, 2)
    assert w.a1.frozen_at is not None


def test_an_upheld_objection_reopens_the_round(notice: SimpleNamespace, cast: Any) -> None:
    w = notice
    o = rv.raise_objection(cast.sibling_secretary, w.a1, text="分数偏高")
    rv.answer_objection(w.reviewer, o, status="upheld", answer="重新评审")
    round_ = rv.reopen(w.reviewer, w.round, reason="异议成立")
    assert (round_.status, round_.publicity_ends) == ("open", None)
    w.a1.refresh_from_db()
    assert (w.a1.status, w.a1.rank) == ("reviewed", None)
    # reviewed again, then a new notice
    done = rv.review(
        w.reviewer,
        w.a1,
        rows={w.rows1[1].pk: {"points": "15", "reason": "异议成立"}},
        version=w.a1.version,
    )
    assert done.score == Decimal("71.00")


def test_computed_rows_follow_records_until_published_and_never_after(
    notice: SimpleNamespace,
) -> None:
    w = notice
    w.figures[w.c.branch1.pk] = Decimal("0.45")  # 40 × 0.5 = 20 instead of 36
    after = w.round.publicity_ends + datetime.timedelta(days=1)
    rv.publish(w.reviewer, w.round, today=after)
    w.a1.refresh_from_db()
    assert assessment_rows(w.a1)[0].self_points == Decimal("20.00")
    assert w.a1.score == Decimal("65.00")  # 20 + 25 + 20
    assert w.a1.stars == 1
    w.figures[w.c.branch1.pk] = Decimal("0.9")
    w.round.refresh_from_db()
    assert rv.scoring.measure(w.round) == 0
    assert rv.scoring.measure(RatingRound.objects.get(pk=w.round.pk), [w.a1]) == 0
    assert assessment_rows(w.a1)[0].self_points == Decimal("20.00")


@pytest.fixture
def published(notice: SimpleNamespace) -> SimpleNamespace:
    w = notice
    rv.publish(w.reviewer, w.round, today=w.round.publicity_ends + datetime.timedelta(days=1))
    w.a1.refresh_from_db()
    w.a2.refresh_from_db()
    return w


def test_stars_only_go_down_and_only_when_published(
    published: SimpleNamespace, w: SimpleNamespace
) -> None:
    a = published.a2  # 5 stars
    today = timezone.localdate()
    common: dict[str, Any] = {
        "reason": "发生违纪",
        "decision_ref": "安城管党〔2026〕3号",
        "decided_on": today,
    }
    for to, code in ((5, "not_lower"), (6, "not_lower"), (-1, "not_lower"), ("x", "invalid")):
        with pytest.raises(rv.ReviewError) as e:
            rv.change_stars(published.reviewer, a, to_stars=to, **common)
        assert e.value.code == code
    with pytest.raises(rv.ReviewError) as e:
        rv.change_stars(
            published.reviewer,
            a,
            to_stars=3,
            **{**common, "decided_on": today + datetime.timedelta(days=1)},
        )
    assert e.value.code == "out_of_range"
    with pytest.raises(rv.ReviewError) as e:
        rv.change_stars(published.reviewer, a, to_stars=3, **{**common, "decision_ref": ""})
    assert e.value.code == "reason_required"
    with pytest.raises(PermissionDenied):
        rv.change_stars(published.c.sibling_secretary, a, to_stars=3, **common)
    assert StarChange.objects.count() == 0
    change = rv.change_stars(published.reviewer, a, to_stars=2, veto=published.veto.pk, **common)
    a.refresh_from_db()
    assert (change.from_stars, change.to_stars, a.current_stars, a.stars) == (5, 2, 2, 5)
    assert AssessmentEvent.objects.filter(assessment=a, action="change_stars").count() == 1
    assert AuditLog.objects.filter(verb="rating.assessment.change_stars").count() == 1
    assert Notification.objects.filter(kind="rating_stars_changed").count() == 1


def test_stars_do_not_change_before_publication(w: SimpleNamespace) -> None:
    rv.review(w.reviewer, w.a2, version=1)
    with pytest.raises(rv.ReviewError) as e:
        rv.change_stars(
            w.reviewer,
            w.a2,
            to_stars=1,
            reason="x",
            decision_ref="y",
            decided_on=timezone.localdate(),
        )
    assert e.value.code == "not_published"
    assert StarChange.objects.count() == 0
