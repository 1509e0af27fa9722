"""Honours as evidence (`juli.core.records`): the honours a user sees, of the purpose's year
and organisation subtree (a rating criterion "honours received" links them)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from juli.core.records import Purpose, RecordKind, register_kind

from .access import visible_honours
from .models import Honour


def candidates(user: Any, purpose: Purpose) -> QuerySet[Honour]:
    qs = visible_honours(user).exclude(status=Honour.Status.REVOKED)
    if purpose.year is not None:
        qs = qs.filter(call__year=purpose.year)
    if purpose.org_path:
        qs = qs.filter(holder_path__startswith=purpose.org_path)
    if purpose.since is not None:
        qs = qs.filter(conferred_on__gte=purpose.since)
    if purpose.until is not None:
        qs = qs.filter(conferred_on__lte=purpose.until)
    return qs


HONOUR = register_kind(
    RecordKind(
        key="honours.honour",
        label=_("Honour"),
        candidates=candidates,
        describe=lambda h: f"{h.call.kind.name} {h.holder_name} {h.number}",
        date=lambda h: h.conferred_on,
        url=lambda h: reverse("honours-honour", args=[h.pk]),
    )
)
