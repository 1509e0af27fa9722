"""The notes waiting for a signature on the work-bench (`juli.core.todos`), for street
officers (`access.shows_notes`). Found by core's lazy autodiscovery, like `menu.py`."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from juli.core.todos import Todo, TodoGroup, TodoKind, register, register_group

from .access import shows_notes, visible_notes
from .models import Note


def to_sign(user: Any) -> QuerySet[Note]:
    return visible_notes(user).filter(status=Note.Status.DRAFT).order_by("created_at", "pk")


def items(user: Any, limit: int, offset: int) -> list[Todo]:
    return [
        Todo(
            title=note.title,
            url=reverse("sample-note-detail", args=[note.pk]),
            subtitle=note.area.name,
            since=note.created_at,
        )
        for note in to_sign(user)[offset : offset + limit]
    ]


register_group(TodoGroup("sample_notes", _("Field notes"), 90))
register(
    TodoKind(
        "sampleapp.sign",
        _("Field notes to sign"),
        "sample_notes",
        count=lambda user: to_sign(user).count(),
        items=items,
        url=lambda user: reverse("sample-note-list"),
        visible=shows_notes,
    )
)
