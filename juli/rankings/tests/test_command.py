"""`juli ranking` on the command line, and the demo step."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from juli.rankings import actions, demo
from juli.rankings.models import Ranking, RankingSettings

from .conftest import WEEK


def test_it_computes_a_missing_week_and_writes_excel_and_pdf(rworld, tmp_path):
    out = io.StringIO()
    xlsx = tmp_path / "r.xlsx"
    call_command("ranking", area=rworld.c.huangpu.code, week=WEEK, out=str(xlsx), stdout=out)
    assert "8 rows, published" in out.getvalue()
    book = load_workbook(xlsx)
    # Name in column D (after rank and rank note); 打浦桥 is ranked second (row 4).
    assert book["Streets"]["D4"].value == "打浦桥街道"
    pdf = tmp_path / "r.bin"
    call_command(
        "ranking", area=rworld.c.huangpu.code, week="2026-w10".upper(), format="pdf", out=str(pdf)
    )
    assert pdf.read_bytes().startswith(b"%PDF")
    assert Ranking.objects.count() == 1


@pytest.mark.parametrize(
    ("area", "week", "message"),
    [
        ("999", WEEK, "no district"),
        ("310101013000", WEEK, "no district"),  # a street
        ("310101000000", "W10", "not an ISO week"),
    ],
)
def test_it_refuses_bad_arguments(rworld, area, week, message):
    with pytest.raises(CommandError, match=message):
        call_command("ranking", area=area, week=week)
    assert Ranking.objects.count() == 0


def test_it_says_when_the_district_is_switched_off(rworld):
    actions.update_settings(
        None, rworld.c.huangpu, enabled=False, auto_publish=True, weights=rworld.settings.weights()
    )
    with pytest.raises(CommandError, match="switched off"):
        call_command("ranking", area=rworld.c.huangpu.code, week=WEEK)
    assert Ranking.objects.count() == 0


def test_the_demo_publishes_four_weeks_once(cast):
    assert demo.build_demo() == {"rankings": 4}
    assert demo.build_demo() == {"rankings": 0}
    rankings = list(Ranking.objects.order_by("week_start"))
    assert [r.status for r in rankings] == ["published"] * 4
    assert [(r.week_start - rankings[0].week_start).days for r in rankings] == [0, 7, 14, 21]
    settings = RankingSettings.objects.get(district=cast.huangpu)
    assert settings.enabled and settings.weight_deductions == 30
    # The cast alone has no case and no inspection: nothing to measure, so no row is ranked
    # (issue 14; before, every row got 100 points and a rank) and none has a change.
    assert not rankings[1].rows.filter(ranked=True).exists()
    assert not rankings[1].rows.exclude(previous_rank=None).exists()
