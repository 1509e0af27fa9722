"""Closed rectification items as evidence (`juli.core.records`): a rating criterion or a
letter's item can link an item the host closed, with its evidence. Candidates are the closed
items the user sees, of the purpose's year and window (the day it was closed), inside the
purpose's organisation subtree. Found by core's lazy autodiscovery."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from juli.core.records import Purpose, RecordKind, register_kind

from .access import visible_rectifications
from .models import Rectification


def _bound(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), timezone.get_current_timezone())


def closed_items(user: Any, purpose: Purpose) -> QuerySet[Rectification]:
    qs = visible_rectifications(user).filter(status=Rectification.Status.CLOSED)
    if purpose.year is not None:
        qs = qs.filter(
            closed_at__gte=_bound(datetime.date(purpose.year, 1, 1)),
            closed_at__lt=_bound(datetime.date(purpose.year + 1, 1, 1)),
        )
    if purpose.since is not None:
        qs = qs.filter(closed_at__gte=_bound(purpose.since))
    if purpose.until is not None:
        qs = qs.filter(closed_at__lt=_bound(purpose.until + datetime.timedelta(days=1)))
    if purpose.org_path:
        qs = qs.filter(host_path__startswith=purpose.org_path)
    return qs.order_by("-closed_at", "-pk")


def describe(item: Rectification) -> str:
    day = timezone.localtime(item.closed_at).strftime("%Y-%m-%d") if item.closed_at else ""
    return f"{day} {item.host.name} {item.title}"


register_kind(
    RecordKind(
        key="observation.rectification",
        label=_("Closed rectification item"),
        candidates=closed_items,
        describe=describe,
        date=lambda r: timezone.localdate(r.closed_at) if r.closed_at else None,
        url=lambda r: reverse("observation-rectification", args=[r.pk]),
        select_related=("host",),
    )
)
