"""Read side of honours: a call's figures, an organisation's honour history."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from .access import visible_honours
from .models import Honour, HonourCall, Nomination


@dataclass
class CallFigures:
    quota: int
    taken: int
    left: int
    by_status: dict[str, int]


def figures(call: HonourCall) -> CallFigures:
    """Quota, places taken by active nominations and what is left; counts by status."""
    counts = dict(
        Nomination.objects.filter(call=call)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    taken = sum(counts.get(s, 0) for s in Nomination.ACTIVE)
    return CallFigures(call.quota, taken, max(call.quota - taken, 0), counts)


def nominator_taken(call: HonourCall, nominator_ids: list[int]) -> dict[int, int]:
    rows = (
        Nomination.objects.filter(
            call=call, nominator_id__in=nominator_ids, status__in=Nomination.ACTIVE
        )
        .values_list("nominator_id")
        .annotate(n=Count("pk"))
        .values_list("nominator_id", "n")
    )
    return dict(rows)


def honours_of_org(user: Any, org: Any, *, until_year: int | None = None) -> QuerySet[Honour]:
    """The honours an organisation (or a person of it) holds that `user` sees: conferred,
    published or revoked, latest first."""
    qs = visible_honours(user).filter(Q(org=org) | Q(person__party_org=org))
    if until_year is not None:
        qs = qs.filter(call__year__lte=until_year)
    return qs.order_by("-call__year", "number")
