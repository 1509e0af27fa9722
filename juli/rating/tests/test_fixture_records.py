"""A round rated end to end from real records, against figures worked out by hand.

The Dapuqiao street working committee (打浦桥街道党工委) rates its four branches for the
first half of 2024 (long past: every period is over) against its standard:

| criterion | category | how | points |
|---|---|---|---|
| C1 三会一课按要求召开 | 组织生活 | `meetings.compliance`, full at 100 % | 50 |
| C2 问题按时办结 | 作用发挥 | `cases.on_time`, full at 90 % | 20 |
| J1 服务群众成效 | 作用发挥 | judged | 30 |

Veto item V (发生严重违纪案件) caps the stars at 2. Thresholds 60/70/80/88/95.
A branch owes, in H1, its assembly and a lecture each quarter and its committee and a theme
day each month: 2 + 2 + 6 + 6 = 16 periods.

- **B1** 蒙西一网格党支部 (area grid 1): held all 16 → C1 = 50.00. Cases closed in grid 1 in
  H1: 4 on time, 1 late → 0.8 → C2 = 20 × 0.8 / 0.9 = 17.777… → 17.78. J1: self 27, the
  reviewer adjusts to 25 (with a reason). 92.78 of 100 → **92.78**, 4 stars.
- **B2** 蒙西二网格党支部 (area grid 2): committee 6, assembly 2, lecture Q1 only 1, theme
  Jan–Mar 3 → 12/16 = 0.75 → C1 = 37.50. Grid 2: 2 closed, both on time → 1.0 → C2 =
  20.00. J1 self 30, kept. 87.50 of 100 → **87.50**, 3 stars.
- **B3** 新建党支部 (no area; founded 10 May 2024): owes June's committee and theme day only
  (Q2 and May began before it existed) → held the committee → 1/2 → C1 = 25.00. No area:
  C2 does not apply. J1 self 27.5. 52.50 of 80 → 65.625 → **65.63**, 1 star.
- **B4** 机关党支部 (no area): held all 16 → C1 = 50.00; C2 does not apply; J1 self 20.
  70 of 80 → **87.50**, 3 stars, but the veto is found → **2 stars**.

Ranks: B1 1; B2 and B4 tie at 87.50 → 2 and 2; B3 4. Top three by rank: B1, B2, B4 (the
third best rank is 2, the tie is marked whole); bottom three: the third worst rank is 2, so
B2, B4 and B3, minus those already on top → B3.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from juli.cases import actions as case_actions
from juli.cases.models import Case
from juli.cases.tests.conftest import new_case
from juli.meetings.models import Meeting
from juli.meetings.tests.conftest import at, make_meeting
from juli.orgs import actions as org_actions
from juli.orgs.models import PartyOrg
from juli.rating import results, scoring
from juli.rating.actions import review, rounds, selfassess, standards
from juli.rating.actions.rounds import assessment_rows
from juli.rating.models import Assessment, RatingRound

D = datetime.date
KINDS_ALL = [
    *[("branch_committee", D(2024, m, 8)) for m in range(1, 7)],
    ("branch_assembly", D(2024, 2, 20)),
    ("branch_assembly", D(2024, 5, 20)),
    ("party_lecture", D(2024, 3, 15)),
    ("party_lecture", D(2024, 6, 14)),
    *[("theme_day", D(2024, m, 10)) for m in range(1, 7)],
]


def held(org: PartyOrg, kind: str, day: datetime.date) -> Meeting:
    m = make_meeting(org, kind, starts_at=at(day), with_members=False, announce=False)
    Meeting.objects.filter(pk=m.pk).update(status="confirmed", confirmed_at=at(day, 18))
    return m


def closed(w: Any, area: Any, day: datetime.date, *, late: bool = False) -> Case:
    case = new_case(w, area=area, actor=w.c.district_admin)
    when = timezone.make_aware(datetime.datetime.combine(day, datetime.time(8)))
    Case.objects.filter(pk=case.pk).update(
        status="closed",
        dispatched_at=when,
        deadline=when + datetime.timedelta(hours=4),
        rectified_at=when + datetime.timedelta(hours=6 if late else 2),
        closed_at=when + datetime.timedelta(hours=8),
    )
    return case


@pytest.fixture
def fx(cast: Any) -> SimpleNamespace:
    c = cast
    w = SimpleNamespace(c=c)
    w.litter = case_actions.create_case_category(
        None, code="litter", name="暴露垃圾", time_limit=4, time_unit="hours"
    )
    old = D(2000, 7, 1)
    top = c.dpq_committee
    PartyOrg.objects.filter(pk=top.pk).update(founded_on=old)
    w.b1 = org_actions.create_org(
        None,
        top,
        name="蒙西一网格党支部",
        kind="branch",
        code="FX-B1",
        area=c.grid1,
        founded_on=old,
    )
    w.b2 = org_actions.create_org(
        None,
        top,
        name="蒙西二网格党支部",
        kind="branch",
        code="FX-B2",
        area=c.grid2,
        founded_on=old,
    )
    w.b3 = org_actions.create_org(
        None, top, name="新建党支部", kind="branch", code="FX-B3", founded_on=D(2024, 5, 10)
    )
    w.b4 = org_actions.create_org(
        None, top, name="机关党支部", kind="branch", code="FX-B4", founded_on=old
    )
    for kind, day in KINDS_ALL:
        held(w.b1, kind, day)
        held(w.b4, kind, day)
    for kind, day in KINDS_ALL:
        if kind == "party_lecture" and day.month == 6:
            continue
        if kind == "theme_day" and day.month > 3:
            continue
        held(w.b2, kind, day)
    held(w.b3, "branch_committee", D(2024, 5, 20))  # before it owed anything
    held(w.b3, "branch_committee", D(2024, 6, 20))
    for n in range(4):
        closed(w, c.grid1, D(2024, 3, 4 + n))
    closed(w, c.grid1, D(2024, 4, 2), late=True)
    closed(w, c.grid2, D(2024, 2, 2))
    closed(w, c.grid2, D(2024, 5, 2))
    closed(w, c.grid1, D(2024, 8, 1), late=True)  # outside the period
    w.standard = standards.create_standard(
        None,
        top,
        year=2024,
        title="2024年五星级党支部标准",
        categories=[
            {
                "name": "组织生活",
                "criteria": [
                    {
                        "title": "三会一课按要求召开",
                        "points": "50",
                        "method": "computed",
                        "metric": "meetings.compliance",
                    }
                ],
            },
            {
                "name": "作用发挥",
                "criteria": [
                    {
                        "title": "问题按时办结",
                        "points": "20",
                        "method": "computed",
                        "metric": "cases.on_time",
                        "full_share": "0.9",
                    },
                    {"title": "服务群众成效", "points": "30", "method": "judged"},
                ],
            },
        ],
        vetoes=[{"title": "发生严重违纪案件", "cap_stars": 2}],
    )
    w.round = rounds.open_round(
        None,
        top,
        w.standard,
        year=2024,
        period_start=D(2024, 1, 1),
        period_end=D(2024, 6, 30),
        self_due=D(2024, 7, 15),
    )
    w.a = {name: w.round.assessments.get(org=getattr(w, name)) for name in ("b1", "b2", "b3", "b4")}
    return w


def rows(a: Assessment) -> dict[str, Any]:
    return {r.criterion.title: r for r in assessment_rows(a)}


def fresh(a: Assessment) -> Assessment:
    return Assessment.objects.get(pk=a.pk)


def fresh_round(fx: Any) -> RatingRound:
    return RatingRound.objects.get(pk=fx.round.pk)


def self_assess(a: Assessment, points: str) -> Assessment:
    judged = rows(a)["服务群众成效"]
    a = selfassess.save_self(None, a, rows={judged.pk: {"points": points}}, version=a.version)
    return selfassess.submit(None, fresh(a), version=fresh(a).version)


def test_the_computed_criteria_read_the_records(fx: Any) -> None:
    expected = {
        "b1": (Decimal("50.00"), Decimal("17.78")),
        "b2": (Decimal("37.50"), Decimal("20.00")),
        "b3": (Decimal("25.00"), None),
        "b4": (Decimal("50.00"), None),
    }
    for name, (c1, c2) in expected.items():
        r = rows(fx.a[name])
        assert r["三会一课按要求召开"].self_points == c1, name
        assert (r["问题按时办结"].self_points if r["问题按时办结"].applicable else None) == c2, name
    assert rows(fx.a["b1"])["问题按时办结"].figure_text == "4 of 5 cases closed on time"
    assert rows(fx.a["b3"])["三会一课按要求召开"].share == Decimal("0.5")


def _rate(fx: Any) -> dict[str, Assessment]:
    for name, points in (("b1", "27"), ("b2", "30"), ("b3", "27.5"), ("b4", "20")):
        self_assess(fx.a[name], points)
    veto = fx.standard.vetoes.get()
    for name in ("b1", "b2", "b3", "b4"):
        a = fresh(fx.a[name])
        adjust = {}
        if name == "b1":
            adjust = {rows(a)["服务群众成效"].pk: {"points": "25", "reason": "走访记录不全"}}
        vetoes = (
            [{"veto_id": veto.pk, "reason": "支部一名党员受到严重警告处分"}] if name == "b4" else []
        )
        review.review(None, a, rows=adjust, vetoes=vetoes, version=a.version)
    return {name: fresh(a) for name, a in fx.a.items()}


def test_scores_stars_and_ranks_match_the_hand_computed_figures(fx: Any) -> None:
    done = _rate(fx)
    assert fresh(done["b1"]).self_score == Decimal("94.78")  # 50 + 17.78 + 27 before review
    got = {name: (a.score, a.stars) for name, a in done.items()}
    assert got == {
        "b1": (Decimal("92.78"), 4),
        "b2": (Decimal("87.50"), 3),
        "b3": (Decimal("65.63"), 1),
        "b4": (Decimal("87.50"), 2),
    }
    review.start_publicity(None, fresh_round(fx), starts_on=D(2024, 7, 22))
    ranks = {name: fresh(a).rank for name, a in done.items()}
    assert ranks == {"b1": 1, "b2": 2, "b4": 2, "b3": 4}
    rank_of = {done[n].pk: r for n, r in ranks.items() if r is not None}
    top, bottom = scoring.edges(rank_of)
    assert top == {done["b1"].pk, done["b2"].pk, done["b4"].pk}
    assert bottom == {done["b3"].pk}
    table = results.round_table(fresh_round(fx))
    assert [(row.rank, row.score) for row in table.rows] == [
        (1, Decimal("92.78")),
        (2, Decimal("87.50")),
        (2, Decimal("87.50")),
        (4, Decimal("65.63")),
    ]


def test_a_computed_criterion_follows_the_records_until_published_and_never_after(
    fx: Any,
) -> None:
    _rate(fx)
    # B2 holds its June lecture after all (the minutes were confirmed late): 13 of 16.
    held(fx.b2, "party_lecture", D(2024, 6, 28))
    scoring.measure(fx.round)
    c1 = rows(fresh(fx.a["b2"]))["三会一课按要求召开"]
    assert c1.self_points == Decimal("40.63")  # 50 × 13 / 16 = 40.625
    review.start_publicity(None, fresh_round(fx), starts_on=D(2024, 7, 22))
    review.publish(None, fresh_round(fx), today=D(2024, 8, 5))
    b2 = fresh(fx.a["b2"])
    assert b2.frozen_at is not None
    assert b2.score == Decimal("90.63") and b2.stars == 4  # 40.63 + 20 + 30
    # after publication nothing follows the records any more
    held(fx.b2, "theme_day", D(2024, 4, 25))
    assert scoring.measure(fresh_round(fx)) == 0
    assert rows(fresh(fx.a["b2"]))["三会一课按要求召开"].self_points == Decimal("40.63")
    assert fresh(fx.a["b2"]).score == Decimal("90.63")
