"""A measured figure (`juli.core.metrics`): the share of an organisation's area's notes that
are signed, with the notes behind it."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from juli.core.metrics import Figure, Metric, Source, register

from .models import Note


def _signed_share(
    orgs: Sequence[Any], start: datetime.date, end: datetime.date
) -> dict[int, Figure]:
    notes = list(
        Note.objects.filter(happened_on__range=(start, end)).values_list(
            "pk", "title", "status", "area_path"
        )
    )
    out: dict[int, Figure] = {}
    for org in orgs:
        area_path = getattr(getattr(org, "area", None), "path", "")
        mine = [n for n in notes if area_path and n[3].startswith(area_path)]
        if not mine:
            continue
        signed = [n for n in mine if n[2] == Note.Status.SIGNED]
        out[org.pk] = Figure(
            share=Decimal(len(signed)) / Decimal(len(mine)),
            text=f"{len(signed)}/{len(mine)}",
            sources=[
                Source(label=n[1], url=f"/sample/notes/{n[0]}/", record=f"sampleapp.note:{n[0]}")
                for n in signed
            ],
        )
    return out


register(Metric("sampleapp.signed", _("Signed field notes"), _signed_share))
