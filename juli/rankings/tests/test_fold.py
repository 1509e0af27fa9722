"""Long levels show their two ends (抓两头带中间) and fold the middle behind "show all"."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from juli.orgs import actions as org_actions
from juli.rankings import actions, queries

from .conftest import WEEK, at, make_case

pytestmark = pytest.mark.django_db


def _streets(html: str) -> list[str]:
    section = html.split('id="level-street"', 1)[1].split("</section>", 1)[0]
    return [n.strip() for n in re.findall(r"<td class=\"rk-name\">([^<]+)", section)]


def test_it_folds_the_middle_of_a_long_level_and_shows_it_on_request(rworld, client, monkeypatch):
    c = rworld.c
    for i in range(5):
        street = org_actions.create_area(
            None, c.huangpu, name=f"折叠街道{i}", kind="street", code=f"3101010{i:02d}800"
        )
        # One case each, so that the street is measured and ranked (issue 14).
        make_case(None, rworld.litter, area=street, deduction=Decimal(i), reported_at=at(1))
    ranking = actions.compute_ranking(None, c.huangpu, WEEK)
    rows = list(ranking.rows.filter(level="street"))
    streets = [r for r in rows if r.ranked]
    unranked = [r.name for r in rows if not r.ranked]
    assert len(streets) == 7 and unranked == ["南京东路街道", "外滩街道"]
    monkeypatch.setattr(queries, "FOLD_AT", 4)
    monkeypatch.setattr(queries, "FOLD_KEEP", 2)
    client.force_login(c.district_admin)
    url = reverse("ranking-district", args=[c.huangpu.pk])
    folded = client.get(url, {"week": WEEK}).content.decode()
    shown = _streets(folded)
    assert shown == [r.name for r in streets[:2] + streets[-2:]] + unranked
    hidden = len(streets) - 4
    assert f"… {hidden} more in the middle: show all" in folded
    assert "all=street#level-street" in folded
    full = client.get(url, {"week": WEEK, "all": "street"}).content.decode()
    assert _streets(full) == [r.name for r in streets] + unranked
    assert "more in the middle" not in full.split('id="level-street"', 1)[1].split("</section>")[0]


def test_a_row_lists_its_worst_repeat_points_and_counts_the_rest(rworld, client, monkeypatch):
    from juli.rankings import views

    c = rworld.c
    actions.compute_ranking(None, c.huangpu, WEEK)
    client.force_login(c.district_admin)
    url = reverse("ranking-district", args=[c.huangpu.pk])

    def row_html() -> str:
        html = client.get(url, {"week": WEEK}).content.decode()
        found = re.search(rf'data-subject="{c.dapuqiao.pk}".*?</tr>', html, re.S)
        assert found is not None
        return found.group(0)

    assert "菜场甲" in row_html() and "more point" not in row_html()
    monkeypatch.setattr(views, "REPEATS_SHOWN", 0)
    row = row_html()
    assert "菜场甲" not in row and "and 1 more point" in row
