"""Records of the loop that can serve as evidence elsewhere (`juli.core.records`): closed cases
and inspections, in the user's scope, of the purpose's year, area and window.

Found by core's lazy autodiscovery; nothing imports this module.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from juli.core.records import Purpose, RecordKind, register_kind

from .access import visible_cases, visible_inspections
from .models import Case, Inspection


def _narrow(qs: QuerySet[Any], at: str, purpose: Purpose) -> QuerySet[Any]:
    if purpose.year is not None:
        qs = qs.filter(**{f"{at}__year": purpose.year})
    if purpose.since is not None:
        qs = qs.filter(**{f"{at}__date__gte": purpose.since})
    if purpose.until is not None:
        qs = qs.filter(**{f"{at}__date__lte": purpose.until})
    if purpose.area_path:
        qs = qs.filter(area_path__startswith=purpose.area_path)
    return qs


def closed_cases(user: Any, purpose: Purpose) -> QuerySet[Case]:
    """Closed cases the user sees, closed within the purpose's year / window / area."""
    return _narrow(visible_cases(user).filter(status=Case.Status.CLOSED), "closed_at", purpose)


def inspections(user: Any, purpose: Purpose) -> QuerySet[Inspection]:
    """Inspections the user sees, started within the purpose's year / window / area."""
    return _narrow(visible_inspections(user), "started_at", purpose).select_related("point")


def _local_day(at: datetime.datetime | None) -> datetime.date | None:
    return timezone.localdate(at) if at is not None else None


register_kind(
    RecordKind(
        key="cases.case",
        label=_("Closed case"),
        candidates=closed_cases,
        describe=lambda case: f"{case.number} {case.title}",
        date=lambda case: _local_day(case.closed_at),
        url=lambda case: reverse("case-detail", args=[case.pk]),
    )
)
register_kind(
    RecordKind(
        key="cases.inspection",
        label=_("Inspection"),
        candidates=inspections,
        describe=lambda i: f"{i.point.name} {i.started_at:%Y-%m-%d}",
        date=lambda i: _local_day(i.started_at),
        url=lambda _i: "",
        select_related=("point",),
    )
)
