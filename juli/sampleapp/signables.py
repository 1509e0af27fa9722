"""The note as a signable document kind (`juli.core.signing`): codes "SN-<id>-XXXXX-XXXXX",
checked on `/verify/`. Found by core's lazy autodiscovery; nothing imports this module."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from juli.core.signing import DocumentKind, register

from .models import Note

KEY = "samplenote"


def content_of(note: Note) -> dict[str, Any]:
    """What the signature covers: the note's words, date and area (dates as strings)."""
    return {
        "title": note.title,
        "text": note.text,
        "happened_on": note.happened_on.isoformat(),
        "area": note.area_path,
    }


NOTE = register(
    DocumentKind(
        key=KEY,
        label=_("field note"),
        model=Note,
        content=content_of,
        lookup=lambda pk: Note.objects.select_related("area").filter(pk=pk).first(),
        frozen_hash=lambda note: note.content_hash,
        is_signed=lambda note: note.status == Note.Status.SIGNED,
        verify_template="sampleapp/_verify_facts.html",
        code_prefix="SN",
    )
)
