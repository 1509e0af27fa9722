"""Observation visits offer two measured figures to the rating standards (`juli.core.metrics`).

**`observation.score`**: the branch's average observation score over the visits it hosted in
the period (the visit's day in the period, scoring finished), as a share: 86.5/100 → 0.865.
No scored visit hosted in the period → no figure.

**`observation.rectified`**: the share of the branch's rectification items due in the period
(deadline in the period) that were closed on time (closed on or before the deadline day, as
last closed: an item reopened and closed again counts by its last closing). An item whose
deadline has not yet passed and that is still open is not counted yet (it may still be closed
on time). No item counted → no figure.

Two queries each (plus none per organisation); the sources are the visits or the items.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from juli.core.metrics import Figure, Metric, Source, register

from .models import ObservationVisit, Rectification

FOUR = Decimal("0.0001")


def _score(orgs: Sequence[Any], start: datetime.date, end: datetime.date) -> dict[int, Figure]:
    ids = [o.pk for o in orgs]
    rows = (
        ObservationVisit.objects.filter(
            host_id__in=ids,
            scheduled_on__gte=start,
            scheduled_on__lte=end,
            average__isnull=False,
        )
        .select_related("cycle")
        .order_by("scheduled_on", "pk")
    )
    by_org: dict[int, list[ObservationVisit]] = defaultdict(list)
    for v in rows:
        by_org[v.host_id].append(v)
    out: dict[int, Figure] = {}
    for org_id, visits in by_org.items():
        mean = sum((v.average for v in visits if v.average is not None), Decimal(0)) / len(visits)
        share = (mean / Decimal(100)).quantize(FOUR, rounding=ROUND_HALF_UP)
        text = _("%(score)s / 100 over %(n)s visit(s)") % {
            "score": mean.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
            "n": len(visits),
        }
        sources = [
            Source(
                label=f"{v.scheduled_on:%Y-%m-%d} {v.cycle.title}: {v.average}",
                url=reverse("observation-visit", args=[v.pk]),
                record=f"observation.observationvisit:{v.pk}",
            )
            for v in visits
        ]
        out[org_id] = Figure(share=share, text=text, sources=sources)
    return out


def _rectified(orgs: Sequence[Any], start: datetime.date, end: datetime.date) -> dict[int, Figure]:
    today = timezone.localdate()
    rows = Rectification.objects.filter(
        host_id__in=[o.pk for o in orgs], deadline__gte=start, deadline__lte=end
    ).order_by("deadline", "pk")
    by_org: dict[int, list[Rectification]] = defaultdict(list)
    for r in rows:
        if r.status == Rectification.Status.CLOSED or r.deadline < today:
            by_org[r.host_id].append(r)
    out: dict[int, Figure] = {}
    for org_id, items in by_org.items():
        on_time = [r for r in items if r.status == Rectification.Status.CLOSED and r.closed_on_time]
        share = (Decimal(len(on_time)) / Decimal(len(items))).quantize(FOUR)
        text = _("%(done)s of %(n)s items closed on time") % {"done": len(on_time), "n": len(items)}
        sources = [
            Source(
                label=f"{r.deadline:%Y-%m-%d} {r.title}",
                url=reverse("observation-rectification", args=[r.pk]),
                record=f"observation.rectification:{r.pk}",
                note=_("closed on time") if r in on_time else _("not closed on time"),
            )
            for r in items
        ]
        out[org_id] = Figure(share=share, text=text, sources=sources)
    return out


register(
    Metric(
        "observation.score",
        gettext_lazy("Observation visit score"),
        _score,
        description=gettext_lazy(
            "The average score the visiting branches gave the branch (out of 100) over the "
            "visits it hosted in the period."
        ),
        order=40,
    )
)
register(
    Metric(
        "observation.rectified",
        gettext_lazy("Rectification closed on time"),
        _rectified,
        description=gettext_lazy(
            "The share of the branch's rectification items due in the period that were closed "
            "by their deadline."
        ),
        order=41,
    )
)
