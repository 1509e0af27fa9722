"""Notes as evidence (`juli.core.records`): the notes a user sees, of the purpose's year,
window and area. Found by core's lazy autodiscovery; nothing imports this module."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from juli.core.records import Purpose, RecordKind, register_kind

from .access import visible_notes
from .models import Note


def candidates(user: Any, purpose: Purpose) -> QuerySet[Note]:
    """Notes in the user's scope; `org_path` does not apply to notes (they lie in areas)."""
    qs = visible_notes(user)
    if purpose.year is not None:
        qs = qs.filter(happened_on__year=purpose.year)
    if purpose.since is not None:
        qs = qs.filter(happened_on__gte=purpose.since)
    if purpose.until is not None:
        qs = qs.filter(happened_on__lte=purpose.until)
    if purpose.area_path:
        qs = qs.filter(area_path__startswith=purpose.area_path)
    return qs


NOTE = register_kind(
    RecordKind(
        key="sampleapp.note",
        label=_("Field note"),
        candidates=candidates,
        describe=lambda note: f"{note.title} {note.happened_on:%Y-%m-%d}",
        date=lambda note: note.happened_on,
        url=lambda note: reverse("sample-note-detail", args=[note.pk]),
    )
)
