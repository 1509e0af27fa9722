"""A dossier section (`juli.core.dossier`): the notes of the organisation's area in the year."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from juli.core.dossier import Block, Section, SectionKind, register

from .models import Note


def _build(org: Any, year: int, user: Any) -> Section | None:
    area = getattr(org, "area", None)
    if area is None:
        return None
    notes = Note.objects.filter(area_path__startswith=area.path, happened_on__year=year)
    if not notes:
        return None
    return Section(
        title=_("Field notes"),
        blocks=[
            Block.table([_("date"), _("Note title")], [(n.happened_on, n.title) for n in notes])
        ],
    )


register(SectionKind("sampleapp", gettext_lazy("Field notes"), _build, order=900))
