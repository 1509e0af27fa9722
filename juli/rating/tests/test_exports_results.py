"""The round's ranking as Excel and PDF, one assessment as PDF: read back (openpyxl,
pdftotext). Scores set directly (see _results_world.py)."""

from __future__ import annotations

import io
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from openpyxl import load_workbook

from juli.rating import exports, results
from juli.rating.actions.rounds import assessment_rows
from juli.rating.models import ScoreFile

from ._results_world import build, finish, publish

D = Decimal


@pytest.fixture
def published(cast, stub_metric):
    w = build(cast, stub_metric)
    for a in w.a:
        finish(a)
    publish(w.round)
    return w


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    out = subprocess.run(  # noqa: S603 - a fixed tool on bytes we made
        [shutil.which("pdftotext") or "pdftotext", "-", "-"],
        input=data,
        capture_output=True,
        check=True,
    )
    # Narrow table cells wrap: compare without any whitespace.
    return "".join(out.stdout.decode().split())


def test_the_ranking_workbook_reads_back(published):
    table = results.round_table(published.round)
    book = load_workbook(io.BytesIO(exports.round_xlsx(table)))
    ws = book.worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0].startswith("普陀区绿化和市容管理局党组 · ")
    head = rows[1]
    assert head[:8] == (
        "Rank",
        "Branch",
        "Score",
        "Score basis",
        "Stars",
        "Mark",
        "Since last year",
        "Stars last year",
    )
    assert head[8:10] == ("组织生活", "作用发挥")
    body = [r[:10] for r in rows[2:]]
    assert body == [
        (1, "第三党支部", 98, "审核得分", 2, "前三", "↑2", 3, 40, 58),
        (2, "第六党支部", 90, "审核得分", 4, "前三", "新参评", None, None, 54),
        (3, "第一党支部", 88, "审核得分", 4, "前三", "↓2", 5, 36, 52),
        (4, "第二党支部", 81, "审核得分", 3, "后三", "↓2", 4, 32, 49),
        (4, "第四党支部", 81, "审核得分", 3, "后三", "—", 2, 28, 53),
        (6, "第五党支部", 60, "审核得分", 1, "后三", "↓1", 1, 20, 40),
    ]
    assert rows[2][10] == "发生严重违纪案件"
    dist = list(book.worksheets[1].iter_rows(values_only=True))[2:]
    assert dist == [(0, 0), (1, 1), (2, 1), (3, 2), (4, 2), (5, 0)]


def test_the_ranking_pdf_reads_back(published):
    text = pdf_text(exports.round_pdf(results.round_table(published.round)))
    for expected in (
        "排名",
        "前三",
        "后三",
        "第三党支部",
        "98.00",
        "新参评",
        "星级分布",
        "否决：发生严重违纪案件",
    ):
        assert expected in text, expected


def test_the_assessment_pdf_reads_back(published):
    a = published.a[0]
    row = assessment_rows(a)[1]
    ScoreFile.objects.create(
        score=row, file=ContentFile(b"x", name="photo.jpg"), name="先锋岗照片.jpg", size=1
    )
    text = pdf_text(exports.assessment_pdf(a))
    for expected in (
        "第一党支部2026年星级评定",
        "审核得分",
        "88.00",
        "自评得分",
        "91.00",
        "第3名/共6个支部",
        "三会一课按时召开",
        "系统计算：stub0.81",
        "台账缺少群众评价",
        f"recordof{published.b[0].pk}",
        "先锋岗照片.jpg",
        "一票否决",
    ):
        assert expected in text, expected
    vetoed = pdf_text(exports.assessment_pdf(published.a[2]))
    assert "支部书记受到党纪处分" in vetoed and "2星" in vetoed
    new = pdf_text(exports.assessment_pdf(published.a[5]))
    assert "本期无数据，不计入" in new
