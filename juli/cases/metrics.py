"""Cases offer one measured figure to the rating standards (`juli.core.metrics`).

**`cases.on_time`**: among the cases closed in the period in the areas attached to the
organisation (`PartyOrg.area` and its subtree: a community branch answers for its community,
its micro-grids and building groups), the share handled on time.

- Closed in the period: `status = closed` and `closed_at` on a local day of the period.
- On time: rectified by the deadline set at dispatch (`rectified_at <= deadline`, the step
  the deadline is for, as the dashboards count "rectified on time"); a case closed without
  a rectification is judged by its closing time; a case closed without a deadline (handled
  without a dispatch) is on time.
- An organisation with no area, or no case closed in its areas in the period → no figure:
  the criterion does not apply.

The records behind the figure: the late cases first, then the latest on time, 30 at most.
Two queries (the areas' paths, the closed cases) for any number of organisations.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from juli.core.metrics import Figure, Metric, Source, register
from juli.orgs.access import prefix_q
from juli.orgs.models import Area

from .models import Case

#: How many cases a figure lists as its records.
MAX_SOURCES = 30


def _midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=timezone.get_current_timezone())


def is_on_time(
    deadline: datetime.datetime | None,
    rectified_at: datetime.datetime | None,
    closed_at: datetime.datetime | None,
) -> bool:
    if deadline is None:
        return True
    done = rectified_at or closed_at
    return done is not None and done <= deadline


def measure_on_time(
    orgs: Sequence[Any], start: datetime.date, end: datetime.date
) -> dict[int, Figure]:
    area_ids = {o.area_id for o in orgs if getattr(o, "area_id", None)}
    if not area_ids or end < start:
        return {}
    paths = dict(Area.objects.filter(pk__in=area_ids).values_list("pk", "path"))
    owners = [(o.pk, paths[o.area_id]) for o in orgs if o.area_id in paths]
    if not owners:
        return {}
    rows = (
        Case.objects.filter(
            prefix_q("area_path", sorted({p for _pk, p in owners})),
            status=Case.Status.CLOSED,
            closed_at__gte=_midnight(start),
            closed_at__lt=_midnight(end + datetime.timedelta(days=1)),
        )
        .order_by("-closed_at", "-id")
        .values_list("pk", "number", "title", "area_path", "deadline", "rectified_at", "closed_at")
    )
    closed: dict[int, int] = {}
    on_time: dict[int, int] = {}
    late: dict[int, list[Source]] = {}
    timely: dict[int, list[Source]] = {}
    for pk, number, title, area_path, deadline, rectified_at, closed_at in rows:
        ok = is_on_time(deadline, rectified_at, closed_at)
        source = Source(
            label=f"{number} {title}",
            url=reverse("case-detail", args=[pk]),
            record=f"cases.case:{pk}",
            note=str(_("On time")) if ok else str(_("Late")),
        )
        for org_pk, path in owners:
            if not area_path.startswith(path):
                continue
            closed[org_pk] = closed.get(org_pk, 0) + 1
            if ok:
                on_time[org_pk] = on_time.get(org_pk, 0) + 1
            listed = (timely if ok else late).setdefault(org_pk, [])
            if len(listed) < MAX_SOURCES:
                listed.append(source)
    out = {}
    for org_pk, n in closed.items():
        good = on_time.get(org_pk, 0)
        listed = (late.get(org_pk, []) + timely.get(org_pk, []))[:MAX_SOURCES]
        out[org_pk] = Figure(
            share=Decimal(good) / Decimal(n),
            text=_("%(good)s of %(n)s cases closed on time") % {"good": good, "n": n},
            sources=listed,
        )
    return out


register(
    Metric(
        "cases.on_time",
        gettext_lazy("Cases handled on time"),
        measure_on_time,
        description=gettext_lazy(
            "Among the cases closed in the period in the branch's areas, the share rectified "
            "by their deadline. A branch with no area, or no case closed there, is not "
            "measured."
        ),
        order=30,
    )
)
