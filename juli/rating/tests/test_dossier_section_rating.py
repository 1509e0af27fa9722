"""The rating section of the year-end dossier: the published assessment's figures, each
criterion with its figure or reason, vetoes, evidence, the uploaded files under rating/;
None without an assessment that year."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.base import ContentFile

from juli.core import dossier as core_dossier
from juli.rating import dossier
from juli.rating.actions.rounds import assessment_rows
from juli.rating.models import ScoreFile, StarChange

from ._results_world import build, finish, publish


@pytest.fixture
def published(cast, stub_metric):
    w = build(cast, stub_metric)
    for a in w.a:
        finish(a)
    publish(w.round)
    return w


def test_it_is_registered_at_order_30():
    kind = next(k for k in core_dossier.kinds() if k.key == "rating")
    assert kind.order == 30


def test_it_builds_the_branch_year(published):
    a = published.a[0]
    row = assessment_rows(a)[1]
    for _ in range(2):
        ScoreFile.objects.create(
            score=row, file=ContentFile(b"x", name="p.jpg"), name="照片.jpg", size=1
        )
    StarChange.objects.create(
        assessment=a,
        from_stars=4,
        to_stars=3,
        reason="发生违纪",
        decision_ref="普绿党〔2027〕3号",
        decided_on=datetime.date(2027, 3, 1),
        decided_by=published.c.bureau_secretary,
    )
    a.current_stars = 3
    a.save(update_fields=["current_stars"])
    section = dossier.build(published.b[0], 2026, published.c.branch_secretary)
    assert section is not None
    facts = dict(next(b for b in section.blocks if b.kind == "facts").rows)
    assert facts["Score"] == "88.00"
    assert facts["Stars"] == "★★★☆☆"
    assert facts["Rank"] == "3 of 6"
    assert "4★→3★" in facts["Star change"]
    table = next(b for b in section.blocks if b.kind == "table")
    assert table.rows[0][1:4] == ["三会一课按时召开", "40", "36"]
    assert table.rows[0][4] == "stub 0.81"
    assert table.rows[2][3:5] == ["24", "Adjusted: 台账缺少群众评价"]
    assert table.rows[1][5] == "照片.jpg；照片.jpg"
    assert [f.name for f in section.files] == [
        f"rating/2026-{published.round.pk}/照片.jpg",
        f"rating/2026-{published.round.pk}/照片.jpg-2",
    ]
    assert any(b.kind == "paragraph" and b.text == "No veto item found." for b in section.blocks)


def test_it_lists_vetoes_and_what_does_not_apply(published):
    vetoed = dossier.build(published.b[2], 2026, None)
    assert any(
        b.kind == "table" and b.head[0] == "Veto item" and b.rows[0][2] == "支部书记受到党纪处分"
        for b in vetoed.blocks
    )
    new = dossier.build(published.b[5], 2026, None)
    first = next(b for b in new.blocks if b.kind == "table").rows[0]
    assert first[3:5] == ["", "No data for the period: not counted"]


def test_it_is_none_without_an_assessment(published):
    assert dossier.build(published.b[5], 2025, None) is None
    assert dossier.build(published.c.lighting, 2026, None) is None
