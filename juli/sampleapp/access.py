"""Who sees and changes notes: the area subtree of the user's posts (`juli.orgs.access`)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from juli.orgs.access import is_office, one_or_404, prefix_q, roles_of, scope_of
from juli.orgs.models import Area
from juli.orgs.roles import Role

from .models import Note


def visible_notes(user: Any) -> QuerySet[Note]:
    """Notes in the area subtrees of the user's posts (all of them for a superuser)."""
    scope = scope_of(user)
    qs = Note.objects.select_related("area")
    if scope.superuser:
        return qs
    return qs.filter(prefix_q("area_path", scope.paths("area")))


def can_file_note(user: Any, area: Area) -> bool:
    """Anyone with a post over the area (field or office) may file a note there."""
    scope = scope_of(user)
    return scope.superuser or scope.covers("area", area.path)


def can_sign_note(user: Any, note: Note) -> bool:
    """Office roles over the note's area sign it."""
    scope = scope_of(user)
    return scope.superuser or (is_office(user) and scope.covers("area", note.area_path))


def shows_notes(user: Any) -> bool:
    """The menu entry (from the cached scope, no query): street officers only. The frame of
    the roles whose menus other tests pin (district admin, outsider, grid worker) is unchanged."""
    return Role.STREET_OFFICER in roles_of(user)


def access_note(user: Any, pk: Any, *, write: bool = False) -> Note:
    """The note if the user sees it, else Http404; `write` also needs the right to sign (403)."""
    note = one_or_404(visible_notes(user), pk)
    if write and not can_sign_note(user, note):
        raise PermissionDenied
    return note
