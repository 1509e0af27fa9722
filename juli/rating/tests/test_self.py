"""The branch's self-assessment: saving, files, evidence, pre-linking, submitting; every
refusal writes nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from juli.core import records
from juli.core.models import AuditLog
from juli.meetings.models import Meeting
from juli.meetings.tests.conftest import at, make_meeting
from juli.notify.models import Notification
from juli.rating import scoring
from juli.rating.actions import selfassess
from juli.rating.actions.rounds import assessment_rows
from juli.rating.models import Assessment, CriterionScore, ScoreFile
from juli.rating.tests.conftest import make_round, make_standard

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def rows_of(a: Assessment) -> list[CriterionScore]:
    return assessment_rows(a)


def judged(a: Assessment) -> tuple[CriterionScore, CriterionScore]:
    r = rows_of(a)
    return r[1], r[2]


def fresh(a: Assessment) -> Assessment:
    return Assessment.objects.get(pk=a.pk)


def snapshot(a: Assessment) -> tuple[Any, ...]:
    a = fresh(a)
    return (
        a.status,
        a.version,
        a.self_summary,
        a.self_score,
        [(r.self_points, r.self_note) for r in rows_of(a)],
        ScoreFile.objects.filter(score__assessment=a).count(),
    )


def test_it_saves_judged_points_and_notes_and_bumps_the_version(rw: Any) -> None:
    j1, j2 = judged(rw.a1)
    saved = selfassess.save_self(
        rw.c.branch_secretary,
        rw.a1,
        rows={str(j1.pk): {"points": "27.5", "note": " 先锋岗 "}, j2.pk: {"points": 30}},
        summary="全年工作总结",
        version=1,
    )
    assert saved.version == 2
    j1.refresh_from_db()
    j2.refresh_from_db()
    assert (j1.self_points, j1.self_note, j2.self_points) == (
        Decimal("27.50"),
        "先锋岗",
        Decimal("30.00"),
    )
    assert fresh(rw.a1).self_summary == "全年工作总结"
    assert AuditLog.objects.filter(verb="rating.assessment.save_self").count() == 1


@pytest.mark.parametrize(
    ("points", "code"),
    [
        ("-1", "out_of_range"),
        ("30.01", "out_of_range"),
        ("12.345", "out_of_range"),
        ("abc", "invalid"),
        ("NaN", "out_of_range"),
    ],
)
def test_it_refuses_points_out_of_range(rw: Any, points: str, code: str) -> None:
    j1, j2 = judged(rw.a1)
    before = snapshot(rw.a1)
    with pytest.raises(selfassess.SelfAssessmentError) as exc:
        selfassess.save_self(
            rw.c.branch_secretary,
            rw.a1,
            rows={j2.pk: {"points": "10"}, j1.pk: {"points": points}},
            version=1,
        )
    assert exc.value.code == code
    assert f"rows.{j1.pk}.points" in exc.value.message_dict
    assert snapshot(rw.a1) == before


def test_it_refuses_a_row_of_another_assessment_and_a_computed_row(rw: Any) -> None:
    foreign = judged(rw.a2)[0]
    computed = rows_of(rw.a1)[0]
    before = snapshot(rw.a1)
    with pytest.raises(selfassess.SelfAssessmentError) as exc:
        selfassess.save_self(
            rw.c.branch_secretary, rw.a1, rows={foreign.pk: {"points": "1"}}, version=1
        )
    assert exc.value.code == "foreign_row"
    with pytest.raises(selfassess.SelfAssessmentError) as exc:
        selfassess.save_self(
            rw.c.branch_secretary, rw.a1, rows={computed.pk: {"points": "40"}}, version=1
        )
    assert exc.value.code == "computed"
    assert snapshot(rw.a1) == before


def test_a_stale_version_is_a_conflict_and_writes_nothing(rw: Any) -> None:
    j1, _j2 = judged(rw.a1)
    selfassess.save_self(rw.c.branch_secretary, rw.a1, rows={j1.pk: {"points": "5"}}, version=1)
    before = snapshot(rw.a1)
    with pytest.raises(selfassess.StaleVersion) as exc:
        selfassess.save_self(rw.c.branch_secretary, rw.a1, rows={j1.pk: {"points": "9"}}, version=1)
    assert exc.value.code == "stale"
    with pytest.raises(selfassess.StaleVersion):
        selfassess.submit(rw.c.branch_secretary, rw.a1, version=1)
    assert snapshot(rw.a1) == before


@pytest.mark.parametrize("who", ["sibling_secretary", "bureau_secretary", "outsider"])
def test_only_the_branchs_officers_write(rw: Any, who: str) -> None:
    j1, _j2 = judged(rw.a1)
    before = snapshot(rw.a1)
    with pytest.raises(PermissionDenied):
        selfassess.save_self(getattr(rw.c, who), rw.a1, rows={j1.pk: {"points": "5"}}, version=1)
    with pytest.raises(PermissionDenied):
        selfassess.submit(getattr(rw.c, who), rw.a1, version=1)
    assert snapshot(rw.a1) == before


def test_submit_refuses_missing_points_then_stores_the_self_score(rw: Any) -> None:
    sec = rw.c.branch_secretary
    j1, j2 = judged(rw.a1)
    selfassess.save_self(sec, rw.a1, rows={j1.pk: {"points": "24"}}, version=1)
    before = snapshot(rw.a1)
    with pytest.raises(selfassess.SelfAssessmentError) as exc:
        selfassess.submit(sec, rw.a1, version=2)
    assert exc.value.code == "incomplete" and "服务群众成效" in exc.value.messages[0]
    assert snapshot(rw.a1) == before
    selfassess.save_self(sec, rw.a1, rows={j2.pk: {"points": "20"}}, version=2)
    rw.figures[rw.c.branch1.pk] = Decimal("0.9")  # the records changed: 40 points now
    done = selfassess.submit(sec, rw.a1, version=3)
    # (40 + 24 + 20) / 100
    assert (done.status, done.self_score, done.version) == ("submitted", Decimal("84.00"), 4)
    assert done.events.filter(action="submit").count() == 1
    # submitted: the branch cannot write any more
    with pytest.raises(selfassess.SelfAssessmentError) as exc:
        selfassess.save_self(sec, done, rows={j1.pk: {"points": "1"}}, version=4)
    assert exc.value.code == "illegal_state"
    with pytest.raises(selfassess.SelfAssessmentError) as exc:
        selfassess.submit(sec, done, version=4)
    assert exc.value.code == "illegal_state"


def test_submit_tells_the_organisers(rw: Any, django_capture_on_commit_callbacks: Any) -> None:
    sec = rw.c.branch_secretary
    j1, j2 = judged(rw.a1)
    selfassess.save_self(sec, rw.a1, rows={j1.pk: {"points": 1}, j2.pk: {"points": 2}}, version=1)
    with django_capture_on_commit_callbacks(execute=True):
        selfassess.submit(sec, rw.a1, version=2)
    assert list(
        Notification.objects.filter(kind="rating_submitted").values_list("recipient", flat=True)
    ) == [rw.c.bureau_secretary.pk]


def test_a_computed_row_follows_records_until_published(rw: Any) -> None:
    computed = rows_of(rw.a1)[0]
    assert computed.self_points == Decimal("36.00")
    rw.figures[rw.c.branch1.pk] = Decimal("0.45")
    scoring.measure(rw.round)
    computed.refresh_from_db()
    assert computed.self_points == Decimal("20.00")
    type(rw.round).objects.filter(pk=rw.round.pk).update(status="published")
    Assessment.objects.filter(pk=rw.a1.pk).update(status="published")
    rw.round.refresh_from_db()
    rw.figures[rw.c.branch1.pk] = Decimal("0.9")
    scoring.measure(rw.round)
    computed.refresh_from_db()
    assert computed.self_points == Decimal("20.00")


def test_files_are_checked_and_removed(rw: Any) -> None:
    sec = rw.c.branch_secretary
    j1, _j2 = judged(rw.a1)
    item = selfassess.add_file(sec, j1, SimpleUploadedFile("总结.pdf", PDF), version=1)
    assert (item.name, fresh(rw.a1).version) == ("总结.pdf", 2)
    before = snapshot(rw.a1)
    for upload, code in [
        (SimpleUploadedFile("fake.pdf", b"not a pdf"), "mismatch"),
        (SimpleUploadedFile("x.exe", b"MZ"), "unsupported_format"),
    ]:
        with pytest.raises(selfassess.SelfAssessmentError) as exc:
            selfassess.add_file(sec, j1, upload, version=2)
        assert exc.value.code == code
    big = SimpleUploadedFile("big.pdf", PDF)
    big.size = 21 * 1024 * 1024
    with pytest.raises(selfassess.SelfAssessmentError) as exc:
        selfassess.add_file(sec, j1, big, version=2)
    assert exc.value.code == "too_large"
    with pytest.raises(selfassess.SelfAssessmentError) as exc:
        selfassess.add_file(sec, rows_of(rw.a1)[0], SimpleUploadedFile("a.pdf", PDF), version=2)
    assert exc.value.code == "computed"
    assert snapshot(rw.a1) == before
    selfassess.remove_file(sec, item, version=2)
    assert not ScoreFile.objects.exists()


def _confirmed(org: Any, day: datetime.date, title: str) -> Meeting:
    m = make_meeting(org, starts_at=at(day), title=title)
    Meeting.objects.filter(pk=m.pk).update(status=Meeting.Status.CONFIRMED)
    return Meeting.objects.get(pk=m.pk)


def test_opening_prelinks_the_branchs_recent_records_once(cast: Any, stub_metric: Any) -> None:
    c = cast
    days = [datetime.date(2026, m, 5) for m in range(1, 8)]  # seven meetings
    for n, day in enumerate(days):
        _confirmed(c.branch1, day, f"党课{n + 1}")
    _confirmed(c.branch2, datetime.date(2026, 9, 1), "二支部党课")  # another branch
    _confirmed(c.branch1, datetime.date(2025, 12, 1), "去年党课")  # outside the period
    round_ = make_round(c.putuo, make_standard(c.putuo))  # open_round pre-links
    a1 = round_.assessments.get(org=c.branch1)
    j1, j2 = judged(a1)
    lines = [ln.record.title for ln in records.links_of(j1)]
    assert sorted(lines) == ["党课3", "党课4", "党课5", "党课6", "党课7"]
    assert all(ln.link.added_by_id is None for ln in records.links_of(j2))
    assert records.links_of(rows_of(a1)[0]) == []  # computed rows take no evidence
    # the branch unlinks one; opening again links nothing more
    link = records.links_of(j1)[0].link
    selfassess.unlink_record(c.branch_secretary, j1, link.pk, version=fresh(a1).version)
    assert selfassess.prelink(a1) == 0
    assert len(records.links_of(j1)) == 4


def test_the_branch_links_one_of_its_records_and_not_anothers(rw: Any) -> None:
    c = rw.c
    mine = _confirmed(c.branch1, datetime.date(2026, 3, 3), "三月党课")
    other = _confirmed(c.branch2, datetime.date(2026, 3, 3), "二支部")
    j1, _j2 = judged(rw.a1)
    found = selfassess.find_record(c.branch_secretary, rw.a1, "meetings.meeting", mine.pk)
    selfassess.link_record(c.branch_secretary, j1, found, version=1)
    assert [ln.record.pk for ln in records.links_of(j1)] == [mine.pk]
    from django.http import Http404

    with pytest.raises(Http404):
        selfassess.find_record(c.branch_secretary, rw.a1, "meetings.meeting", other.pk)
    with pytest.raises(Http404):
        selfassess.link_record(c.branch_secretary, j1, other, version=2)


def test_opening_prelinks_and_tells_the_secretaries(
    cast: Any, stub_metric: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _confirmed(cast.branch1, datetime.date(2026, 3, 3), "三月党课")
    with django_capture_on_commit_callbacks(execute=True):
        round_ = make_round(cast.putuo, make_standard(cast.putuo))
    a1 = round_.assessments.get(org=cast.branch1)
    assert [len(records.links_of(row)) for row in judged(a1)] == [1, 1]
    users = set(
        Notification.objects.filter(kind="rating_opened").values_list("recipient", flat=True)
    )
    assert users == {cast.branch_secretary.pk, cast.sibling_secretary.pk}
    assert selfassess.opened(round_) == 0  # once


def test_the_page_renders_and_saves(client: Any, rw: Any) -> None:
    j1, j2 = judged(rw.a1)
    url = reverse("rating-assessment", args=[rw.a1.pk])
    client.force_login(rw.c.branch_secretary)
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert f'name="points-{j1.pk}"' in text and "stub 0.81" in text
    answer = client.post(
        url,
        {
            "action": "save",
            "version": "1",
            f"points-{j1.pk}": "25",
            f"note-{j1.pk}": "好",
            f"points-{j2.pk}": "",
            "summary": "",
        },
    )
    assert answer.status_code == 302
    j1.refresh_from_db()
    assert j1.self_points == Decimal("25.00")
    stale = client.post(url, {"action": "save", "version": "1", f"points-{j1.pk}": "3"})
    assert stale.status_code == 409
    bad = client.post(url, {"action": "save", "version": "2", f"points-{j1.pk}": "31"})
    assert bad.status_code == 400 and f'data-error-for="{j1.pk}"' in bad.content.decode()
    j1.refresh_from_db()
    assert j1.self_points == Decimal("25.00")
    assert client.get(reverse("rating-my")).status_code == 200


@pytest.mark.parametrize(
    ("who", "get", "post"),
    [
        ("outsider", 404, 404),
        ("sibling_secretary", 404, 404),
        ("bureau_secretary", 200, 403),
        ("branch_secretary", 200, 302),
    ],
)
def test_page_access(client: Any, rw: Any, who: str, get: int, post: int) -> None:
    j1, _j2 = judged(rw.a1)
    url = reverse("rating-assessment", args=[rw.a1.pk])
    client.force_login(getattr(rw.c, who))
    assert client.get(url).status_code == get
    version = fresh(rw.a1).version
    answer = client.post(url, {"action": "save", "version": version, f"points-{j1.pk}": "5"})
    assert answer.status_code == post
    j1.refresh_from_db()
    assert j1.self_points == (Decimal("5.00") if post == 302 else None)


def test_anonymous_is_sent_to_sign_in(client: Any, rw: Any) -> None:
    answer = client.get(reverse("rating-assessment", args=[rw.a1.pk]))
    assert answer.status_code == 302


def test_a_returned_assessment_says_why_on_top(client: Any, rw: Any) -> None:
    from juli.rating.actions import review

    j1, j2 = judged(rw.a1)
    a = selfassess.save_self(
        None, rw.a1, rows={j1.pk: {"points": "25"}, j2.pk: {"points": "20"}}, version=1
    )
    a = selfassess.submit(None, fresh(a), version=fresh(a).version)
    review.return_to_branch(None, fresh(a), reason="请补充走访记录")
    client.force_login(rw.c.branch_secretary)
    page = client.get(reverse("rating-assessment", args=[rw.a1.pk])).content.decode()
    assert 'id="rating-returned"' in page and "请补充走访记录" in page
