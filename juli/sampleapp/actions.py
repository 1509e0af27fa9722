"""Every write of notes: filing one (exactly once per client UUID) and signing it."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from juli.core.audit import record, snapshot
from juli.core.signing import hash_content
from juli.core.types import Actor
from juli.core.workflow import Move, transition
from juli.core.writes import ConflictError, require, user_of
from juli.notify.actions import notify
from juli.notify.queries import office_staff
from juli.notify.text import lazy_format
from juli.orgs.models import Area

from .access import can_file_note, can_sign_note
from .models import TRANSITIONS, Note, NoteEvent
from .notices import NOTE_FILED
from .signables import content_of

FIELDS = ["area", "title", "text", "happened_on", "client_uuid", "status"]


def _announce(note: Note) -> None:
    url = reverse("sample-note-detail", args=[note.pk])
    notify(
        f"{Note._meta.label_lower}:{note.pk}:filed",
        kind=NOTE_FILED.key,
        title=lazy_format(gettext_lazy("Field note filed: %(title)s"), title=note.title),
        text=note.text,
        url=url,
        users=office_staff(note.area),
        area=note.area,
    )


@transaction.atomic
def file_note(
    actor: Actor,
    *,
    area: Area,
    title: str,
    happened_on: datetime.date,
    client_uuid: uuid.UUID,
    text: str = "",
) -> Note:
    """File a draft note in `area` (anyone with a post over it). Announced to the area's
    office staff and its channels; audited `note.file`. A `client_uuid` already taken by
    another note raises `ConflictError`."""
    require(actor, can_file_note(actor, area))
    note = Note(
        area=area,
        area_path=area.path,
        title=title.strip(),
        text=text.strip(),
        happened_on=happened_on,
        client_uuid=client_uuid,
        created_by=user_of(actor),
    )
    try:
        with transaction.atomic():
            note.save()
    except IntegrityError:
        raise ConflictError(
            _("This submission id was already used for another note."), code="conflict"
        ) from None
    record(actor, "note.file", note, after=snapshot(note, FIELDS))
    _announce(note)
    return note


def sign_note(actor: Actor, note: Note) -> Note:
    """Sign a draft note (office roles over its area): its content hash is frozen, so its
    verification code checks as valid until the content changes."""

    def check(actor: Any, locked: Note, move: Move) -> None:
        require(actor, can_sign_note(actor, locked))

    def effects(
        locked: Note, move: Move, now: datetime.datetime
    ) -> tuple[list[str], dict[str, Any]]:
        locked.content_hash = hash_content(content_of(locked))
        locked.signed_at = now
        return ["content_hash", "signed_at"], {}

    return transition(
        actor,
        note,
        "sign",
        table=TRANSITIONS,
        event_model=NoteEvent,
        check=check,
        effects=effects,
        queryset=Note.objects.select_related("area"),
        audit_verb="note.sign",
    )
