"""Exact figures from the known week in conftest.py, and the rules of computing.

Expected, week W with the default weights (deductions 30, on-time 25, verification 20,
repeats 15, zero-deduction 10):

street    cases ded   due/on-time  verify      repeats zero  ded-s  on-t   ver    rep-s  zero   total
打浦桥    4     5.00  2/1 50.00    3/2 66.67   2       2/1   0.00   50.00  66.67  0.00   50.00  30.83
淮海中路  3     3.50  2/2 100.00   1/1 100.00  1       1/0   30.00  100.00 100.00 50.00  0.00   61.50
南京东路  0     0     —            —           0       —     —      —      —      —      —      —
外滩      0     0     —            —           0       —     —      —      —      —      —      —

Ranks (issue 14, ranking fairness): 淮海中路 1, 打浦桥 2; 南京东路 and 外滩 had nothing
inspected, reported, due or verified: not ranked (no rank, no score), listed after. Two ranked
subjects → k = 0: no band. (Before issue 14 the two empty streets took ranks 1 and 2 with
100 points and 打浦桥 was "bottom".)
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from juli.core.models import AuditLog
from juli.rankings import actions, scoring
from juli.rankings.models import Ranking, RankingEvent, RankingRow
from juli.rankings.signals import ranking_published

from .conftest import PREVIOUS_WEEK, WEEK

D = Decimal
FIELDS = [
    "cases",
    "deduction_total",
    "due_count",
    "on_time_count",
    "verify_total",
    "verify_passed",
    "repeat_count",
    "zero_points",
    "zero_clean",
    "score_deductions",
    "score_on_time",
    "score_verification",
    "score_repeats",
    "score_zero",
    "total",
    "rank",
    "band",
]


def _rows(ranking: Ranking, level: str) -> dict[str, tuple]:
    return {
        r.name: tuple(getattr(r, f) for f in FIELDS)
        for r in ranking.rows.filter(level=level).order_by("rank")
    }


def test_it_computes_every_metric_score_and_rank_exactly(rworld):
    ranking = actions.compute_ranking(None, rworld.c.huangpu, WEEK)
    assert ranking.status == Ranking.Status.PUBLISHED
    assert ranking.week_start.isoformat() == "2026-03-02"
    assert ranking.weights == {
        "deductions": "30.00",
        "on_time": "25.00",
        "verification": "20.00",
        "repeats": "15.00",
        "zero": "10.00",
    }
    assert _rows(ranking, "street") == {
        "南京东路街道": (
            0,
            D("0.00"),
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            "",
        ),
        "外滩街道": (
            0,
            D("0.00"),
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            "",
        ),
        "淮海中路街道": (
            3,
            D("3.50"),
            2,
            2,
            1,
            1,
            1,
            1,
            0,
            D(30),
            D(100),
            D(100),
            D(50),
            D(0),
            D("61.50"),
            1,
            "middle",
        ),
        "打浦桥街道": (
            4,
            D("5.00"),
            2,
            1,
            3,
            2,
            2,
            2,
            1,
            D(0),
            D(50),
            D("66.67"),
            D(0),
            D(50),
            D("30.83"),
            2,
            "middle",
        ),
    }
    # Two communities: k = min(3, 2 // 3) = 0, no band.
    assert _rows(ranking, "community") == {
        "淮海社区": (
            3,
            D("3.50"),
            2,
            2,
            1,
            1,
            1,
            1,
            0,
            D(30),
            D(100),
            D(100),
            D(50),
            D(0),
            D("61.50"),
            1,
            "middle",
        ),
        "蒙西居民区": (
            4,
            D("5.00"),
            2,
            1,
            3,
            2,
            2,
            2,
            1,
            D(0),
            D(50),
            D("66.67"),
            D(0),
            D(50),
            D("30.83"),
            2,
            "middle",
        ),
    }
    # Units: c8 has no unit yet, so 环卫公司 has 2 cases, 2.50 points and no repeat.
    assert _rows(ranking, "unit") == {
        "环卫公司": (
            2,
            D("2.50"),
            2,
            2,
            1,
            1,
            0,
            1,
            0,
            D(50),
            D(100),
            D(100),
            D(100),
            D(0),
            D("75.00"),
            1,
            "middle",
        ),
        "蒙西物业公司": (
            4,
            D("5.00"),
            2,
            1,
            3,
            2,
            2,
            2,
            1,
            D(0),
            D(50),
            D("66.67"),
            D(0),
            D(50),
            D("30.83"),
            2,
            "middle",
        ),
    }
    dpq = ranking.rows.get(level="street", name="打浦桥街道")
    assert dpq.repeat_points == [
        {"point": rworld.p1.pk, "name": "菜场甲", "category": "暴露垃圾", "cases": 3}
    ]
    assert dpq.subject_path == rworld.c.dapuqiao.path
    assert (dpq.on_time_rate, dpq.verify_rate, dpq.zero_rate) == (D(50), D("66.67"), D(50))
    assert [e.action for e in RankingEvent.objects.filter(ranking=ranking)] == [
        "compute",
        "publish",
    ]
    assert (
        AuditLog.objects.filter(verb__startswith="ranking.", object_id=str(ranking.pk)).count() == 2
    )


def test_it_shows_the_change_against_last_weeks_published_ranking(rworld):
    before = actions.compute_ranking(None, rworld.c.huangpu, PREVIOUS_WEEK)
    # Week W−1: only 淮海中路 had a case (c9); the other streets are not ranked.
    assert [(r.name, r.rank) for r in before.rows.filter(level="street")] == [
        ("淮海中路街道", 1),
        ("南京东路街道", None),
        ("外滩街道", None),
        ("打浦桥街道", None),
    ]
    ranking = actions.compute_ranking(None, rworld.c.huangpu, WEEK)
    got = {r.name: (r.rank, r.previous_rank, r.change) for r in ranking.rows.filter(level="street")}
    assert got == {
        "淮海中路街道": (1, 1, 0),
        "打浦桥街道": (2, None, None),  # not ranked last week: new to the ranking
        "南京东路街道": (None, None, None),
        "外滩街道": (None, None, None),
    }


def test_it_ignores_an_unpublished_previous_week(rworld):
    actions.compute_ranking(None, rworld.c.huangpu, PREVIOUS_WEEK, publish=False)
    ranking = actions.compute_ranking(None, rworld.c.huangpu, WEEK)
    assert set(ranking.rows.values_list("change", flat=True)) == {None}


def test_it_recomputes_a_draft_identically_and_never_a_published_one(rworld):
    district = rworld.c.huangpu
    first = actions.compute_ranking(None, district, WEEK, publish=False)
    rows_before = {lvl: _rows(first, lvl) for lvl in RankingRow.Level.values}
    again = actions.compute_ranking(None, district, WEEK, publish=False)
    assert again.pk == first.pk
    assert {lvl: _rows(again, lvl) for lvl in RankingRow.Level.values} == rows_before
    assert Ranking.objects.count() == 1
    assert scoring.calculate(district, first.week_start, rworld.settings.weights()) == (
        scoring.calculate(district, first.week_start, rworld.settings.weights())
    )
    actions.publish_ranking(None, again)
    audit_rows = AuditLog.objects.count()
    with pytest.raises(actions.RankingError) as refused:
        actions.compute_ranking(None, district, WEEK)
    assert refused.value.code == "already_published"
    assert AuditLog.objects.count() == audit_rows
    assert RankingRow.objects.filter(ranking=again).count() == 8
    with pytest.raises(actions.RankingError) as twice:
        actions.publish_ranking(None, again)
    assert twice.value.code == "illegal_state"


def test_a_published_ranking_keeps_the_weights_it_used(rworld):
    district = rworld.c.huangpu
    ranking = actions.compute_ranking(None, district, WEEK)
    totals = dict(ranking.rows.values_list("name", "total"))
    weights = {k: D(0) for k in ("deductions", "on_time", "verification", "repeats")}
    actions.update_settings(
        None, district, enabled=True, auto_publish=True, weights={**weights, "zero": D(1)}
    )
    ranking.refresh_from_db()
    assert ranking.weights["deductions"] == "30.00"
    assert ranking.settings_version == 1
    assert dict(ranking.rows.values_list("name", "total")) == totals
    newer = actions.compute_ranking(None, district, PREVIOUS_WEEK)
    assert newer.weights["zero"] == "1.00" and newer.settings_version == 2


def test_a_switched_off_district_gets_no_ranking(rworld):
    district = rworld.c.huangpu
    actions.update_settings(
        None, district, enabled=False, auto_publish=True, weights=rworld.settings.weights()
    )
    with pytest.raises(actions.RankingError) as refused:
        actions.compute_ranking(None, district, WEEK)
    assert refused.value.code == "not_enabled"
    assert actions.compute_missing() == []
    assert Ranking.objects.count() == 0


def test_it_refuses_bad_weeks_and_weeks_not_over(rworld):
    for week, code in [
        ("2026-53", "bad_week"),
        ("2026-W54", "bad_week"),
        ("2999-W01", "week_not_over"),
    ]:
        with pytest.raises(actions.RankingError) as refused:
            actions.compute_ranking(None, rworld.c.huangpu, week)
        assert refused.value.code == code
    with pytest.raises(actions.RankingError) as street:
        actions.compute_ranking(None, rworld.c.dapuqiao, WEEK)
    assert street.value.code == "not_a_district"
    assert Ranking.objects.count() == 0


def test_it_refuses_bad_weights_and_records_changes_once(rworld):
    district, base = rworld.c.huangpu, rworld.settings.weights()
    before = AuditLog.objects.count()
    for weights, code in [
        ({**base, "zero": D(101)}, "weight_range"),
        ({k: D(0) for k in base}, "weights_zero"),
        ({"zero": D(1)}, "weights_missing"),
    ]:
        with pytest.raises(actions.RankingError) as refused:
            actions.update_settings(
                None, district, enabled=True, auto_publish=True, weights=weights
            )
        assert refused.value.code == code
    actions.update_settings(None, district, enabled=True, auto_publish=True, weights=base)
    assert AuditLog.objects.count() == before  # same values: nothing to record
    actions.update_settings(None, district, enabled=True, auto_publish=False, weights=base)
    assert AuditLog.objects.filter(verb="ranking_settings.update").count() == 1


def test_the_signal_is_sent_once_on_publish(rworld, django_capture_on_commit_callbacks):
    sent = []

    def listener(sender, ranking, actor, **kw):  # type: ignore[no-untyped-def]
        sent.append((ranking.pk, actor))

    ranking_published.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            draft = actions.compute_ranking(None, rworld.c.huangpu, WEEK, publish=False)
        assert sent == []
        with django_capture_on_commit_callbacks(execute=True):
            actions.publish_ranking(rworld.c.district_admin, draft)
    finally:
        ranking_published.disconnect(listener)
    assert sent == [(draft.pk, rworld.c.district_admin)]
    draft.refresh_from_db()
    assert draft.published_by == rworld.c.district_admin


@pytest.mark.django_db(transaction=True)
def test_the_weekly_task_is_idempotent(rworld):
    from juli.rankings.tasks import compute_weekly_rankings

    first = compute_weekly_rankings.enqueue()
    made = first.return_value
    assert made is not None
    assert len(made) == 1
    ranking = Ranking.objects.get(pk=made[0])
    assert ranking.status == Ranking.Status.PUBLISHED
    assert ranking.week == scoring.week_label(
        scoring.last_complete_week(__import__("django.utils.timezone", fromlist=["x"]).localdate())
    )
    again = compute_weekly_rankings.enqueue()
    assert again.return_value == []
    assert Ranking.objects.count() == 1


def test_it_aggregates_in_a_fixed_number_of_queries(rworld):
    with CaptureQueriesContext(connection) as small:
        scoring.calculate(rworld.c.huangpu, scoring.parse_week(WEEK), rworld.settings.weights())
    from .conftest import at, make_case

    for i in range(30):
        make_case(rworld.p4, rworld.facility, deduction=D(1), reported_at=at(i % 7, 8))
    with CaptureQueriesContext(connection) as large:
        scoring.calculate(rworld.c.huangpu, scoring.parse_week(WEEK), rworld.settings.weights())
    assert len(small) == len(large)


def _subject(name: str, deduction: str, pk: int) -> scoring.Subject:
    subject = scoring.Subject("street", pk, name)
    subject.tally.deduction_total = D(deduction)
    subject.tally.inspections = 1  # looked at: the deductions have data
    return subject


def test_bands_take_three_at_each_end_and_never_split_a_tie():
    weights = {
        "deductions": D(1),
        "on_time": D(0),
        "verification": D(0),
        "repeats": D(0),
        "zero": D(0),
    }
    # Deductions 0…9 → totals 100, 90, …, 10: k = 3.
    subjects = [_subject(f"S{i}", str(i), i + 1) for i in range(10)]
    rows = scoring.score_level(subjects, weights, {1: 5})
    assert [(r["name"], r["total"], r["band"]) for r in rows] == [
        ("S0", D("100.00"), "top"),
        ("S1", D("88.89"), "top"),
        ("S2", D("77.78"), "top"),
        ("S3", D("66.67"), "middle"),
        ("S4", D("55.56"), "middle"),
        ("S5", D("44.44"), "middle"),
        ("S6", D("33.33"), "middle"),
        ("S7", D("22.22"), "bottom"),
        ("S8", D("11.11"), "bottom"),
        ("S9", D("0.00"), "bottom"),
    ]
    assert (rows[0]["previous_rank"], rows[0]["change"]) == (5, 4)
    # Ranks 3 and 4 tied at the top boundary, 7 and 8 at the bottom one: all four middle.
    tied = [_subject(f"T{i}", d, i + 1) for i, d in enumerate("0122457789")]
    bands = [r["band"] for r in scoring.score_level(tied, weights, {})]
    assert bands == [
        "top",
        "top",
        "middle",
        "middle",
        "middle",
        "middle",
        "middle",
        "middle",
        "bottom",
        "bottom",
    ]
    # Equal totals share the rank (issue 14; before, name and id broke the tie), listed by
    # name (code point), then id.
    same = [_subject("乙", "0", 2), _subject("甲", "0", 3), _subject("甲", "0", 1)]
    assert [
        (r["name"], r["subject_id"], r["rank"], r["tied"])
        for r in scoring.score_level(same, weights, {})
    ] == [
        ("乙", 2, 1, True),  # U+4E59 before 甲 U+7532: names compare by code point
        ("甲", 1, 1, True),
        ("甲", 3, 1, True),
    ]
