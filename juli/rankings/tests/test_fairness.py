"""Ranking fairness (issue 14, item 8): no data is not 100 points, ties share a rank, bands
and rank change count ranked subjects only; the page, the API and both exports say so.

The fixture `fair` adds to the known week of conftest.py (see test_scoring.py):

- 南京东路 and 外滩 each have one point inspected once in week W and found clean: measured,
  deductions 0 and no repeats → 100.00 each, TIED at rank 1;
- 豫园 has a zero-deduction point nobody inspected and no case: nothing to measure → not
  ranked (an unchecked zero-deduction point is not "kept clean").

Streets of week W (default weights), standard competition ranking, k = min(3, 4 // 3) = 1:

    南京东路   100.00   并列第 1   middle (the tie crosses the top band's edge: no top band)
    外滩       100.00   并列第 1   middle
    淮海中路    61.50   3          middle
    打浦桥      30.83   4          bottom
    豫园        —       不参与排名

Week W−1 has a single measured street: 淮海中路 (case c9), rank 1 with
(30 × 0 + 15 × 100 + 10 × 0) / 55 = 27.27 (its deductions are the level's worst, its only
checked zero-deduction point had a deduction, nothing was due or verified); the four other
streets are not ranked.
"""

from __future__ import annotations

import io
import re
import subprocess
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from juli.cases.models import Inspection, Point, PointCategory
from juli.orgs import actions as org_actions
from juli.rankings import actions, queries, scoring
from juli.rankings.models import Ranking, RankingRow

from .conftest import PREVIOUS_WEEK, WEEK, at

D = Decimal
NOT_RANKED = "Not ranked: no data this week"
ALL = {"deductions": D(30), "on_time": D(25), "verification": D(20), "repeats": D(15)}


@pytest.fixture
def fair(rworld):  # type: ignore[no-untyped-def]
    c = rworld.c
    kind = PointCategory.objects.create(code="lane", name="背街小巷")
    rworld.yuyuan = org_actions.create_area(
        None, c.huangpu, name="豫园街道", kind="street", code="310101016000"
    )

    def point(code: str, area: Any, zero: bool = False) -> Point:
        return Point.objects.create(
            code=code, name=f"点位{code}", area=area, category=kind, zero_deduction=zero
        )

    for code, street in [("N1", rworld.nanjing), ("W1", rworld.waitan)]:
        p = point(code, street)
        Inspection.objects.create(
            client_uuid=uuid.uuid4(),
            point=p,
            area_path=p.area_path,
            inspector=c.inspector,
            started_at=at(2, 9),
            submitted_at=at(2, 10),
        )
    point("Y1", rworld.yuyuan, zero=True)
    return rworld


def _streets(ranking: Ranking) -> list[tuple[Any, ...]]:
    return [
        (r.name, r.ranked, r.rank, r.tied, r.total, r.band)
        for r in queries.ordered(ranking.rows.filter(level="street"))
    ]


# --- The documented ranks -------------------------------------------------------------------


def test_streets_without_data_are_unranked_ties_share_a_rank_and_bands_skip_ties(fair):
    ranking = actions.compute_ranking(None, fair.c.huangpu, WEEK)
    assert _streets(ranking) == [
        ("南京东路街道", True, 1, True, D("100.00"), "middle"),
        ("外滩街道", True, 1, True, D("100.00"), "middle"),
        ("淮海中路街道", True, 3, False, D("61.50"), "middle"),
        ("打浦桥街道", True, 4, False, D("30.83"), "bottom"),
        ("豫园街道", False, None, False, None, ""),
    ]
    yuyuan = ranking.rows.get(name="豫园街道")
    # Its zero-deduction point was not checked: no data, not "1 of 1 kept clean".
    assert (yuyuan.inspections, yuyuan.cases, yuyuan.zero_points, yuyuan.zero_clean) == (
        0,
        0,
        0,
        0,
    )
    assert [getattr(yuyuan, f"score_{k}") for k in scoring.COMPONENT_KEYS] == [None] * 5
    assert yuyuan.rank_label == NOT_RANKED and yuyuan.looked_at is False
    nanjing = ranking.rows.get(name="南京东路街道")
    assert (nanjing.inspections, nanjing.score_deductions, nanjing.score_repeats) == (
        1,
        D(100),
        D(100),
    )
    assert (nanjing.score_on_time, nanjing.score_verification, nanjing.score_zero) == (
        None,
        None,
        None,
    )
    assert nanjing.rank_label == "Tied at 1"
    assert ranking.rows.get(name="淮海中路街道").rank_label == "3"


def test_a_single_measured_street_is_ranked_alone(fair):
    ranking = actions.compute_ranking(None, fair.c.huangpu, PREVIOUS_WEEK)
    assert _streets(ranking) == [
        ("淮海中路街道", True, 1, False, D("27.27"), "middle"),
        ("南京东路街道", False, None, False, None, ""),
        ("外滩街道", False, None, False, None, ""),
        ("打浦桥街道", False, None, False, None, ""),
        ("豫园街道", False, None, False, None, ""),
    ]
    units = [(r.name, r.rank) for r in queries.ordered(ranking.rows.filter(level="unit"))]
    assert units == [("环卫公司", 1), ("蒙西物业公司", None)]


def test_a_subject_is_scored_on_the_indicators_it_has_with_the_weights_renormalised():
    weights = {**ALL, "zero": D(10)}
    due_only = scoring.Subject("street", 1, "甲")
    due_only.tally.due_count, due_only.tally.on_time_count = 4, 3
    verified = scoring.Subject("street", 2, "乙")
    verified.tally.verify_total, verified.tally.verify_passed = 2, 1
    verified.tally.due_count, verified.tally.on_time_count = 2, 2
    rows = scoring.score_level([due_only, verified], weights, {})
    # 甲: on-time only, 75.00; 乙: (25 × 100 + 20 × 50) / 45 = 77.78.
    assert [(r["name"], r["total"], r["rank"]) for r in rows] == [
        ("乙", D("77.78"), 1),
        ("甲", D("75.00"), 2),
    ]
    assert rows[1]["score_deductions"] is None and rows[1]["score_repeats"] is None


def test_data_only_for_an_indicator_weighted_zero_does_not_rank():
    weights = {**ALL, "on_time": D(0), "zero": D(10)}
    due_only = scoring.Subject("street", 1, "甲")
    due_only.tally.due_count = 3
    rows = scoring.score_level([due_only], weights, {})
    assert (rows[0]["ranked"], rows[0]["rank"], rows[0]["total"]) == (False, None, None)


def _level(totals: str) -> list[dict[str, Any]]:
    """Subjects whose deductions give the totals of `totals` (a digit each: 9 − d → …)."""
    weights = {"deductions": D(1), "on_time": D(0), "verification": D(0), "repeats": D(0)}
    subjects = []
    for i, d in enumerate(totals):
        s = scoring.Subject("street", i + 1, f"S{i}")
        s.tally.cases, s.tally.deduction_total = 1, D(d)
        subjects.append(s)
    empty = scoring.Subject("street", 99, "空")
    return scoring.score_level([*subjects, empty], {**weights, "zero": D(0)}, {})


def test_ranks_follow_standard_competition_ranking_and_bands_never_split_a_tie():
    rows = _level("011345578")
    assert [(r["rank"], r["tied"]) for r in rows[:-1]] == [
        (1, False),
        (2, True),
        (2, True),
        (4, False),
        (5, False),
        (6, True),
        (6, True),
        (8, False),
        (9, False),
    ]
    # k = min(3, 9 // 3) = 3. Top: ranks 1 and the tied 2 (positions 1–3). Bottom: positions
    # 7–9, but the tie at 6 spans positions 6–7, so only ranks 8 and 9.
    assert [r["band"] for r in rows[:-1]] == [
        "top",
        "top",
        "top",
        "middle",
        "middle",
        "middle",
        "middle",
        "bottom",
        "bottom",
    ]
    assert (rows[-1]["name"], rows[-1]["ranked"], rows[-1]["band"]) == ("空", False, "")
    # Two tied at positions 3–4: the top band keeps only ranks 1 and 2.
    edge = _level("012245678")
    assert [r["band"] for r in edge[:4]] == ["top", "top", "middle", "middle"]
    # Unranked subjects do not count in n: 3 ranked + 1 empty → k = 1.
    small = _level("059")
    assert [r["band"] for r in small] == ["top", "middle", "bottom", ""]


# --- Rank change --------------------------------------------------------------------------------


def test_rank_change_is_only_between_ranked_weeks(fair):
    actions.compute_ranking(None, fair.c.huangpu, PREVIOUS_WEEK)
    ranking = actions.compute_ranking(None, fair.c.huangpu, WEEK)
    got = {r.name: (r.rank, r.previous_rank, r.change) for r in ranking.rows.filter(level="street")}
    assert got == {
        "南京东路街道": (1, None, None),  # unranked last week: new to the ranking
        "外滩街道": (1, None, None),
        "淮海中路街道": (3, 1, -2),
        "打浦桥街道": (4, None, None),
        "豫园街道": (None, None, None),  # unranked now: no change at all
    }


def test_last_weeks_unranked_row_never_gives_a_previous_rank(fair):
    before = actions.compute_ranking(None, fair.c.huangpu, PREVIOUS_WEEK)
    # A row stored before issue 14 (ranked, inspections not kept) still counts as ranked.
    RankingRow.objects.filter(ranking=before, name="打浦桥街道").update(rank=2)
    previous = scoring.previous_ranks(fair.c.huangpu, scoring.parse_week(WEEK))
    assert previous["street"] == {fair.c.huaihai.pk: 1}
    RankingRow.objects.filter(ranking=before, name="外滩街道").update(ranked=True, rank=2)
    previous = scoring.previous_ranks(fair.c.huangpu, scoring.parse_week(WEEK))
    assert previous["street"] == {fair.c.huaihai.pk: 1, fair.waitan.pk: 2}


# --- Page, API, exports ---------------------------------------------------------------------


@pytest.fixture
def ranking(fair):  # type: ignore[no-untyped-def]
    return actions.compute_ranking(None, fair.c.huangpu, WEEK)


def _street_section(html: str) -> str:
    return html.split('id="level-street"', 1)[1].split("</section>", 1)[0]


def test_the_page_marks_ties_lists_unranked_last_and_states_the_rule(client, fair, ranking):
    client.force_login(fair.c.district_admin)
    url = reverse("ranking-district", args=[fair.c.huangpu.pk])
    html = client.get(url, {"week": WEEK}).content.decode()
    section = _street_section(html)
    names = re.findall(r'<td class="rk-name">([^<]+)', section)
    assert [n.strip() for n in names] == [
        "南京东路街道",
        "外滩街道",
        "淮海中路街道",
        "打浦桥街道",
        "豫园街道",
    ]
    assert section.count('<span class="rk-tie">Tied at 1</span>') == 2
    head = section.index(NOT_RANKED)
    assert section.index("打浦桥街道") < head < section.index("豫园街道")
    yuyuan = re.search(
        rf'<tr class="rk-unranked" data-subject="{fair.yuyuan.pk}">.*?</tr>', html, re.S
    )
    assert yuyuan is not None
    row = yuyuan.group(0)
    assert "100.00" not in row and "<strong>" not in row and "New to the ranking" not in row
    assert "Ranking rules" in html and 'id="ranking-rules"' in html
    assert "1, 2, 2, 4" in html
    assert "never as 100 points" in html


def test_a_long_list_of_unranked_subjects_folds(client, fair, monkeypatch):
    for i in range(2):
        org_actions.create_area(
            None, fair.c.huangpu, name=f"空街道{i}", kind="street", code=f"3101010{i:02d}700"
        )
    actions.compute_ranking(None, fair.c.huangpu, WEEK)
    monkeypatch.setattr(queries, "FOLD_AT", 2)
    monkeypatch.setattr(queries, "FOLD_KEEP", 1)
    client.force_login(fair.c.district_admin)
    url = reverse("ranking-district", args=[fair.c.huangpu.pk])
    section = _street_section(client.get(url, {"week": WEEK}).content.decode())
    names = [n.strip() for n in re.findall(r'<td class="rk-name">([^<]+)', section)]
    # Ranked: the first and the last (2 folded); unranked, by name: the first (2 folded).
    assert names == ["南京东路街道", "打浦桥街道", "空街道0"]
    assert f'{NOT_RANKED} <span class="count">3</span>' in section
    assert "… 2 more without data: show all" in section
    full = _street_section(client.get(url, {"week": WEEK, "all": "street"}).content.decode())
    assert "豫园街道" in full and "more without data" not in full


def test_the_api_says_ranked_and_tied(client, fair, ranking):
    client.force_login(fair.c.street_officer)
    rows = client.get(f"/api/v1/rankings/{ranking.pk}/").json()["rows"]
    streets = [
        (r["name"], r["ranked"], r["rank"], r["tied"], r["total"], r["change"], r["inspections"])
        for r in rows
        if r["level"] == "street"
    ]
    assert streets == [
        ("南京东路街道", True, 1, True, "100.00", None, 1),
        ("外滩街道", True, 1, True, "100.00", None, 1),
        ("淮海中路街道", True, 3, False, "61.50", None, 0),
        ("打浦桥街道", True, 4, False, "30.83", None, 0),
        ("豫园街道", False, None, False, None, None, 0),
    ]
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    row = schema["components"]["schemas"]["RankingRow"]["properties"]
    assert row["ranked"]["type"] == "boolean" and row["tied"]["type"] == "boolean"
    assert row["rank"].get("nullable") is True and row["total"].get("nullable") is True


def test_the_workbook_and_the_pdf_mark_ties_and_unranked_rows(client, fair, ranking, tmp_path):
    client.force_login(fair.c.district_admin)
    book = load_workbook(io.BytesIO(client.get(reverse("ranking-xlsx", args=[ranking.pk])).content))
    sheet = book["Streets"]
    assert [c.value for c in sheet[2]][:6] == [
        "Rank",
        "Rank note",
        "Rank change",
        "Subject",
        "Band",
        "Score",
    ]
    streets = [r[:9] for r in sheet.iter_rows(min_row=3, values_only=True)]
    assert streets == [
        (1, "Tied at 1", "New to the ranking", "南京东路街道", "Middle", 100, 0, 1, 0),
        (1, "Tied at 1", "New to the ranking", "外滩街道", "Middle", 100, 0, 1, 0),
        (3, None, "New to the ranking", "淮海中路街道", "Middle", 61.5, 3, 0, 3.5),
        (4, None, "New to the ranking", "打浦桥街道", "Bottom", 30.83, 4, 0, 5),
        (None, NOT_RANKED, None, "豫园街道", None, None, 0, 0, None),
    ]
    pdf = tmp_path / "ranking.pdf"
    pdf.write_bytes(client.get(reverse("ranking-pdf", args=[ranking.pk])).content)
    text = subprocess.run(  # noqa: S603
        ["pdftotext", "-layout", str(pdf), "-"],  # noqa: S607
        capture_output=True,
        check=True,
    ).stdout.decode()
    text = re.sub(r"\s+", " ", text)
    assert text.count("Tied at 1") == 2
    assert f"{NOT_RANKED} (1)" in text
    assert text.index("打浦桥街道") < text.index(NOT_RANKED) < text.index("豫园街道")
    assert "Ranking rules" in text
