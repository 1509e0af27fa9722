"""Scores, stars, ranks, marks, movement and the distribution of a hand-computed round.

The standard (tests/conftest.py): 组织生活 — one computed criterion of 40 points, full at
a share of 0.9; 作用发挥 — two judged criteria of 30 points each; a veto capping at two
stars; stars from 60 / 70 / 80 / 88 / 95. Scores are set directly on the rows and the
assessments (the self-assessment and review actions are built alongside: see
_results_world.py).

| branch | share | computed 40×min(1,s/0.9) | judged    | points / max | score  | stars            |
|--------|-------|--------------------------|-----------|--------------|--------|------------------|
| 1      | 0.81  | 36                       | 28 + 24*  | 88 / 100     | 88.00  | 4                |
| 2      | 0.72  | 32                       | 25 + 24   | 81 / 100     | 81.00  | 3                |
| 3      | 0.90  | 40                       | 30 + 28   | 98 / 100     | 98.00  | 5 → 2 (veto)     |
| 4      | 0.63  | 28                       | 25 + 28   | 81 / 100     | 81.00  | 3                |
| 5      | 0.45  | 20                       | 20 + 20   | 60 / 100     | 60.00  | 1                |
| 6 new  | —     | not applicable           | 27 + 27   | 54 / 60      | 90.00  | 4                |

(*) branch 1 self-assessed 27, the reviewer adjusted it to 24: self score 91.00.

Ranks (competition, highest first): 3 → 1, 6 → 2, 1 → 3, 2 and 4 tie → 4, 5 → 6.
Top three: ranks ≤ 3 → 3, 6, 1. Bottom three: the third-worst rank is 4 → 2, 4, 5.
Distribution 0…5 stars: 0, 1 (b5), 1 (b3), 2 (b2, b4), 2 (b1, b6), 0.

Last year (2025): 1: 95 (5★, rank 1), 2: 90 (4★, 2), 3: 85 (3★, 3), 4: 75 (2★, 4),
5: 65 (1★, 5); branch 6 did not exist. Movement (places up): 3: 3→1 = +2, 6: new,
1: 1→3 = −2, 2: 2→4 = −2, 4: 4→4 = 0, 5: 5→6 = −1.

Unit summary: 2025 average (95+90+85+75+65)/5 = 82.00, three stars or more 3 of 5 = 0.6;
2026 average (88+81+98+81+60+90)/6 = 498/6 = 83.00, three stars or more 4 of 6
(b1, b2, b4, b6; b3 is capped at 2) = 0.6667.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from juli.rating import results

from ._results_world import build, finish, publish

D = Decimal


@pytest.fixture
def world(cast, stub_metric):
    w = build(cast, stub_metric)
    for a in w.a:
        finish(a)
    publish(w.round)
    return w


def test_it_scores_stars_ranks_and_marks_exactly(world):
    table = results.round_table(world.round)
    by_org = {r.org.pk: r for r in table.all_rows}
    got = [
        (by_org[o.pk].score, by_org[o.pk].stars, by_org[o.pk].rank, by_org[o.pk].mark)
        for o in world.b
    ]
    assert got == [
        (D("88.00"), 4, 3, "top"),
        (D("81.00"), 3, 4, "bottom"),
        (D("98.00"), 2, 1, "top"),
        (D("81.00"), 3, 4, "bottom"),
        (D("60.00"), 1, 6, "bottom"),
        (D("90.00"), 4, 2, "top"),
    ]
    assert table.basis == "reviewed"
    assert [r.org.pk for r in table.rows] == [world.b[i].pk for i in (2, 5, 0, 1, 3, 4)]
    assert table.unranked == []


def test_it_counts_the_distribution(world):
    assert results.distribution(world.round) == [(0, 0), (1, 1), (2, 1), (3, 2), (4, 2), (5, 0)]


def test_it_moves_against_last_year(world):
    table = results.round_table(world.round)
    by_org = {r.org.pk: r for r in table.all_rows}
    moves = [
        (by_org[o.pk].rank_change, by_org[o.pk].is_new, by_org[o.pk].last_stars) for o in world.b
    ]
    assert moves == [
        (-2, False, 5),
        (-2, False, 4),
        (2, False, 3),
        (0, False, 2),
        (-1, False, 1),
        (None, True, None),
    ]
    assert table.previous == world.last


def test_it_subtotals_per_category_and_leaves_out_what_does_not_apply(world):
    table = results.round_table(world.round)
    by_org = {r.org.pk: r for r in table.all_rows}
    b1 = [(c.points, c.maximum) for c in by_org[world.b[0].pk].categories]
    b6 = [(c.points, c.maximum) for c in by_org[world.b[5].pk].categories]
    assert b1 == [(D("36.00"), D("40.00")), (D("52.00"), D("60.00"))]
    assert b6 == [(D("0.00"), D("0.00")), (D("54.00"), D("60.00"))]
    assert [str(v.veto) for v in by_org[world.b[2].pk].vetoes] == ["发生严重违纪案件"]
    world.a[0].refresh_from_db()
    assert world.a[0].self_score == D("91.00")


def test_it_summarises_the_unit_per_year(world):
    trend = results.trend(world.c.putuo)
    assert trend.years == [2025, 2026]
    assert [
        (s.year, s.branches, s.average, s.three_stars_or_more, s.share_three_plus)
        for s in trend.summary
    ] == [
        (2025, 5, D("82.00"), 3, D("0.6000")),
        (2026, 6, D("83.00"), 4, D("0.6667")),
    ]
    series = {s.org.pk: s for s in trend.series}
    b3 = series[world.b[2].pk].points
    assert [(p.year, p.score, p.stars, p.rank, p.of) for p in b3.values()] == [
        (2025, D("85"), 3, 3, 5),
        (2026, D("98.00"), 2, 1, 6),
    ]
    assert list(series[world.b[5].pk].points) == [2026]


def test_the_round_table_runs_a_fixed_number_of_queries(world, django_assert_num_queries):
    with django_assert_num_queries(7):
        results.round_table(world.round)
