"""Letters offer one measured figure to the rating standards (`juli.core.metrics`).

**`letters.grade`**: the grade of the published year-end assessment of the responsibility
letter the organisation received (it is the letter's `receiver_org`) for the year of the
period measured, as a share: 优秀 1, 良好 0.85, 合格 0.7, 不合格 0 (`GRADE_SHARES`).

- Only published letters count (`status = published`, a grade set): a reviewed grade not
  yet published is not a result.
- A period over two calendar years reads the later year's letter. Two published letters
  of the same year (from two issuers) → the one published last.
- No published letter → no figure: the criterion does not apply.

The record behind the figure is the letter. One query for any number of organisations.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from juli.core.metrics import Figure, Metric, Source, register

from .actions import GRADE_LABELS
from .models import Letter, Status

#: The share each grade gives (keys: `actions.GRADE_BANDS`).
GRADE_SHARES: dict[str, Decimal] = {
    "excellent": Decimal("1"),
    "good": Decimal("0.85"),
    "pass": Decimal("0.7"),
    "fail": Decimal("0"),
}


def measure_grade(
    orgs: Sequence[Any], start: datetime.date, end: datetime.date
) -> dict[int, Figure]:
    ids = [o.pk for o in orgs]
    if not ids or end < start:
        return {}
    rows = (
        Letter.objects.filter(
            receiver_org_id__in=ids,
            status=Status.PUBLISHED,
            year__gte=start.year,
            year__lte=end.year,
            grade__in=list(GRADE_SHARES),
        )
        # The first row per organisation wins: the latest year, then the last published.
        .order_by("receiver_org_id", "-year", "-published_at", "-id")
        .values_list("pk", "receiver_org_id", "year", "title", "grade", "final_total")
    )
    out: dict[int, Figure] = {}
    for pk, org_id, year, title, grade, total in rows:
        if org_id in out:
            continue
        label = str(GRADE_LABELS.get(grade, grade))
        out[org_id] = Figure(
            share=GRADE_SHARES[grade],
            text=_("%(year)s letter graded %(grade)s") % {"year": year, "grade": label},
            sources=[
                Source(
                    label=title,
                    url=reverse("letter-detail", args=[pk]),
                    record=f"letters.letter:{pk}",
                    note=label if total is None else f"{label} · {total}",
                )
            ],
        )
    return out


register(
    Metric(
        "letters.grade",
        gettext_lazy("Responsibility letter grade"),
        measure_grade,
        description=gettext_lazy(
            "The published grade of the year-end assessment of the branch's responsibility "
            "letter for the year: excellent 100 %, good 85 %, pass 70 %, fail 0."
        ),
        order=20,
    )
)
