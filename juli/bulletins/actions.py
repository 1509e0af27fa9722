"""Every write of the bulletins app. Pages, API, the task, the command and the demo call these.

As in `juli.cases.actions`: the actor comes first (`None` = the system: the scheduled task,
the demo), out-of-scope objects raise Http404, a visible object the actor may not change
raises PermissionDenied, an illegal move raises `BulletinError` with a `code`:

| code | when |
|---|---|
| `wrong_kind` | the area is not a street or a district |
| `day_not_over` | a bulletin for today or a later day (the day's records are not complete) |
| `illegal_state` | the move is not allowed from the bulletin's status (e.g. publishing twice, editing a published bulletin's notes or figures) |
| `notes_too_long` | notes longer than `NOTES_MAX` characters |

Every accepted write happens in one transaction with a `BulletinEvent` and an audit row; a
refusal writes nothing. Publishing sends `signals.bulletin_published` once, on commit.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from juli.core.audit import record, snapshot
from juli.core.types import Actor
from juli.core.workflow import append_event, check_move, lock, transition
from juli.core.writes import require, user_of
from juli.orgs.models import Area

from . import access, figures
from .models import (
    BULLETIN_AREA_KINDS,
    DEFAULT_WORST_POINTS,
    NOTES_MAX,
    TRANSITIONS,
    Bulletin,
    BulletinEvent,
    BulletinSettings,
)
from .signals import bulletin_published


class BulletinError(ValidationError):
    """A refused bulletin step. Raised before any write: nothing was changed."""


def _require_write(actor: Actor, area: Area) -> None:
    if actor is None:
        return
    if not access.visible_bulletin_areas(actor).filter(pk=area.pk).exists():
        raise Http404
    require(actor, access.can_write(actor, area))


def _illegal(bulletin: Bulletin | None, action: str) -> str:
    if bulletin is not None and bulletin.status == Bulletin.Status.PUBLISHED:
        return _("This bulletin is published: it can no longer be changed.")
    return _("This step is not allowed now.")


#: How the workflow helper moves a bulletin: the table, the log, the error and its message.
_WORKFLOW: dict[str, Any] = {
    "table": TRANSITIONS,
    "error": BulletinError,
    "message": _illegal,
}


def _check_move(bulletin: Bulletin | None, action: str) -> str:
    return check_move(bulletin, action, **_WORKFLOW).target


def _event(bulletin: Bulletin, actor: Actor, action: str, before: str, after: str) -> None:
    append_event(
        BulletinEvent, bulletin, actor=actor, action=action, from_status=before, to_status=after
    )


# --- Settings -----------------------------------------------------------------------------------


def district_of(area: Area) -> Area | None:
    """The district an area lies in (the area itself for a district)."""
    if area.kind == Area.Kind.DISTRICT:
        return area
    return (
        Area.objects.filter(kind=Area.Kind.DISTRICT, path__in=_ancestor_paths(area.path))
        .order_by("-depth")
        .first()
    )


def _ancestor_paths(path: str) -> list[str]:
    step = Area.steplen
    return [path[:n] for n in range(step, len(path), step)]


def settings_for(area: Area) -> BulletinSettings:
    """The bulletin settings that apply to `area` (its district's row, or the defaults;
    an unsaved row carries the defaults from JULI_BULLETIN_HOUR / _AUTO_PUBLISH)."""
    district = district_of(area)
    found = (
        BulletinSettings.objects.filter(district=district).first() if district is not None else None
    )
    if found is not None:
        return found
    return BulletinSettings(
        district=district,
        generation_hour=settings.JULI_BULLETIN_HOUR,
        auto_publish=settings.JULI_BULLETIN_AUTO_PUBLISH,
        worst_points=DEFAULT_WORST_POINTS,
    )


SETTINGS_FIELDS = ("generation_hour", "auto_publish", "worst_points")


@transaction.atomic
def update_settings(actor: Actor, district: Area, **data: Any) -> BulletinSettings:
    """Set a district's bulletin settings (district admins over it). Idempotent: the same
    values again change and record nothing."""
    if actor is not None:
        if not access.visible_bulletin_areas(actor).filter(pk=district.pk).exists():
            raise Http404
        require(actor, access.can_configure(actor, district))
    if district.kind != Area.Kind.DISTRICT:
        raise BulletinError(_("Bulletin settings belong to a district."), code="wrong_kind")
    unknown = set(data) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    row = BulletinSettings.objects.select_for_update().filter(district=district).first()
    current = row or settings_for(district)
    before = snapshot(current, list(SETTINGS_FIELDS)) if row is not None else None
    if row is not None and all(getattr(row, k) == v for k, v in data.items()):
        return row
    current.district = district
    for name, value in data.items():
        setattr(current, name, value)
    current.updated_at = timezone.now()
    current.full_clean(exclude=["district"], validate_unique=False)
    current.save()
    record(
        actor,
        "bulletin.settings",
        current,
        before=before,
        after=snapshot(current, list(SETTINGS_FIELDS)),
    )
    return current


# --- Generating ---------------------------------------------------------------------------------


def _check_area_and_day(area: Area, day: datetime.date) -> None:
    if area.kind not in BULLETIN_AREA_KINDS:
        raise BulletinError(
            _("Daily bulletins are made for streets and districts."), code="wrong_kind"
        )
    if day >= timezone.localdate():
        raise BulletinError(
            _("A day's bulletin is made once the day is over."), code="day_not_over"
        )


def compute_figures(area: Area, day: datetime.date) -> dict[str, Any]:
    """The figures of `area` for `day` with the district's worst-points setting (no write)."""
    return figures.compute(area, day, worst_points=settings_for(area).worst_points)


def generate_bulletin(actor: Actor, area: Area, day: datetime.date) -> Bulletin:
    """Make the draft bulletin of `area` for `day`, or recompute an existing draft's figures.

    A published bulletin is refused (`illegal_state`): its snapshot never changes.
    """
    _require_write(actor, area)
    _check_area_and_day(area, day)
    values = compute_figures(area, day)
    with transaction.atomic():
        existing = Bulletin.objects.select_for_update().filter(area=area, date=day).first()
        if existing is None:
            try:
                with transaction.atomic():
                    return _create(actor, area, day, values)
            except IntegrityError:
                # A concurrent run made it between our read and our insert.
                existing = Bulletin.objects.select_for_update().get(area=area, date=day)
        before = existing.figures

        def recompute(locked: Bulletin, move: Any, now: datetime.datetime) -> Any:
            locked.figures, locked.generated_at = values, now
            return ["figures", "generated_at"], {}

        return transition(
            actor,
            existing,
            "regenerate",
            **_WORKFLOW,
            event_model=BulletinEvent,
            locked=True,
            effects=recompute,
            audit_values=lambda *args: (
                {"summary": before.get("summary")},
                {"summary": values["summary"]},
            ),
        )


def _create(actor: Actor, area: Area, day: datetime.date, values: dict[str, Any]) -> Bulletin:
    target = _check_move(None, "generate")
    bulletin = Bulletin.objects.create(
        area=area, area_path=area.path, date=day, status=target, figures=values
    )
    _event(bulletin, actor, "generate", "", target)
    record(
        actor,
        "bulletin.generate",
        bulletin,
        after={"area": area.pk, "date": day, "summary": values["summary"]},
    )
    return bulletin


def ensure_bulletin(area: Area, day: datetime.date) -> tuple[Bulletin, bool]:
    """The system's get-or-create: the bulletin of `area` for `day`, made as a draft when
    missing (an existing one, draft or published, is left exactly as it is)."""
    _check_area_and_day(area, day)
    existing = Bulletin.objects.filter(area=area, date=day).first()
    if existing is not None:
        return existing, False
    values = compute_figures(area, day)
    try:
        with transaction.atomic():
            return _create(None, area, day, values), True
    except IntegrityError:
        return Bulletin.objects.get(area=area, date=day), False


# --- Notes and publishing -------------------------------------------------------------------------


@transaction.atomic
def set_notes(actor: Actor, bulletin: Bulletin, notes: str) -> Bulletin:
    """Replace a draft's notes (the officer's text printed with the figures)."""
    _require_write(actor, bulletin.area)
    notes = notes.replace("\r\n", "\n").strip()
    if len(notes) > NOTES_MAX:
        raise BulletinError(
            _("Notes are at most %(n)s characters.") % {"n": NOTES_MAX}, code="notes_too_long"
        )
    locked = lock(bulletin, Bulletin.objects.select_related("area"))
    _check_move(locked, "notes")
    if locked.notes == notes:
        return locked
    before = locked.notes
    locked.notes = notes
    locked.save(update_fields=["notes"])
    _event(locked, actor, "notes", locked.status, locked.status)
    record(actor, "bulletin.notes", locked, before={"notes": before}, after={"notes": notes})
    return locked


@transaction.atomic
def publish_bulletin(actor: Actor, bulletin: Bulletin) -> Bulletin:
    """draft → published: the figures and notes are frozen; the signal goes out on commit."""
    _require_write(actor, bulletin.area)

    def stamp(locked: Bulletin, move: Any, now: datetime.datetime) -> Any:
        locked.published_at, locked.published_by = now, user_of(actor)
        return ["published_at", "published_by"], {"published_at": now}

    return transition(
        actor,
        bulletin,
        "publish",
        **_WORKFLOW,
        event_model=BulletinEvent,
        queryset=Bulletin.objects.select_related("area"),
        effects=stamp,
        after_commit=lambda locked: bulletin_published.send(
            sender=Bulletin, bulletin=locked, actor=user_of(actor)
        ),
    )
