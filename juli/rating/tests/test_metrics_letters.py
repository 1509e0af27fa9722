"""`letters.grade`: the published year-end grade of the branch's letter, as a share."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from juli.core import metrics
from juli.letters.models import Letter
from juli.letters.tests.conftest import make_letters

D = datetime.date
YEAR = (D(2026, 1, 1), D(2026, 12, 31))


def grade(letter: Letter, grade: str, status: str = "published", total: str = "86.0") -> None:
    Letter.objects.filter(pk=letter.pk).update(
        status=status, grade=grade, final_total=Decimal(total), published_at=timezone.now()
    )


def test_it_maps_the_published_grade_to_a_share(cast: Any) -> None:
    w = make_letters(cast)
    grade(w.letter, "good")
    grade(w.sibling_letter, "excellent", status="reviewed")  # not yet published
    figures = metrics.measure("letters.grade", [cast.branch1, cast.branch2, cast.putuo], *YEAR)
    assert set(figures) == {cast.branch1.pk}
    figure = figures[cast.branch1.pk]
    assert figure.share == Decimal("0.85")
    assert figure.text == "2026 letter graded Good"
    (source,) = figure.sources
    assert source.record == f"letters.letter:{w.letter.pk}"
    assert source.url == f"/letters/{w.letter.pk}/"
    assert source.note == "Good · 86.0"


def test_each_grade_gives_its_share(cast: Any) -> None:
    w = make_letters(cast)
    for key, share in (("excellent", "1"), ("pass", "0.7"), ("fail", "0")):
        grade(w.letter, key)
        figure = metrics.measure("letters.grade", [cast.branch1], *YEAR)[cast.branch1.pk]
        assert figure.share == Decimal(share)


def test_another_years_letter_is_no_figure(cast: Any) -> None:
    w = make_letters(cast)
    grade(w.letter, "excellent")
    assert metrics.measure("letters.grade", [cast.branch1], D(2025, 1, 1), D(2025, 12, 31)) == {}
