"""Every write of the inspection and rectification loop. Pages, API, commands and the demo
call these and nothing else.

Conventions, as in `juli.orgs.actions`:

- The first argument is the actor (a `User`); `actor=None` is the system (commands, the
  demo, Open311 intake) and skips rights checks, never the rules.
- Out-of-scope objects raise `Http404` (as `access_*` would), a visible object the actor may
  not change raises `PermissionDenied`, a bad request raises `ValidationError` (for the case
  workflow its subclass `workflow.TransitionError`, with a `code`).
- Each action writes in one transaction and appends an audit row; case steps also append a
  `CaseEvent`. In-app notifications are rows written in the same transaction (they must
  exist exactly when the step does); anything leaving the database (push, SMS, thumbnails)
  belongs in `transaction.on_commit`.
- Submissions from phones carry a client-generated UUID: sending the same one again returns
  the record already made; the same UUID with a different content raises `ConflictError`.

Here: categories, checklists and the calendar; photos; reporting; the case state machine;
escalation. Split off by sub-workflow (same conventions): `points.py` (points, import and
export) and `inspections.py` (the daily plan and inspections).
"""

from __future__ import annotations

import contextvars
import datetime
import hashlib
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from juli.core import workflow as core_workflow
from juli.core.audit import record, snapshot
from juli.core.jobs import thumbnail_later
from juli.core.types import Actor
from juli.core.writes import ConflictError, apply_fields, require, user_of
from juli.orgs.access import scope_of
from juli.orgs.models import Area, Unit, User
from juli.orgs.roles import Role

from . import access, handover, workflow
from .models import (
    CASE_OFFICE_ROLES,
    INSPECT_ROLES,
    TRANSITIONS,
    CalendarDay,
    Case,
    CaseCategory,
    CaseEvent,
    CasePhoto,
    CaseSequence,
    ChecklistItem,
    Point,
    PointCategory,
    check_position,
)
from .workflow import TransitionError

S = Case.Status


def _is_admin(actor: Actor) -> bool:
    scope = scope_of(actor)
    return actor is None or scope.superuser or Role.DISTRICT_ADMIN in scope.roles


# --- Categories, checklists and the calendar (district administrators) ---------------------------

POINT_CATEGORY_FIELDS = ["code", "name", "frequency_days", "is_active"]
CASE_CATEGORY_FIELDS = ["code", "name", "time_limit", "time_unit", "in_working_time", "is_active"]
CHECKLIST_FIELDS = ["text", "deduction", "case_category", "order", "is_active"]


@transaction.atomic
def create_point_category(actor: Actor, **data: Any) -> PointCategory:
    require(actor, _is_admin(actor))
    category = PointCategory()
    apply_fields(category, POINT_CATEGORY_FIELDS, data)
    category.full_clean()
    category.save()
    record(actor, "point_category.create", category, after=snapshot(category))
    return category


@transaction.atomic
def create_case_category(actor: Actor, **data: Any) -> CaseCategory:
    require(actor, _is_admin(actor))
    category = CaseCategory()
    apply_fields(category, CASE_CATEGORY_FIELDS, data)
    category.full_clean()
    category.save()
    record(actor, "case_category.create", category, after=snapshot(category))
    return category


@transaction.atomic
def create_checklist_item(
    actor: Actor, point_category: PointCategory, **data: Any
) -> ChecklistItem:
    require(actor, _is_admin(actor))
    item = ChecklistItem(point_category=point_category)
    apply_fields(item, CHECKLIST_FIELDS, data)
    item.full_clean()
    item.save()
    record(actor, "checklist_item.create", item, after=snapshot(item))
    return item


@transaction.atomic
def set_calendar_day(actor: Actor, date: datetime.date, kind: str, name: str = "") -> CalendarDay:
    """Make `date` a public holiday or an adjusted working day (idempotent)."""
    require(actor, _is_admin(actor))
    if kind not in CalendarDay.Kind.values:
        raise ValidationError(_("Unknown kind of calendar day."))
    day = CalendarDay.objects.select_for_update().filter(date=date).first()
    if day is not None and day.kind == kind and day.name == name:
        return day
    before = snapshot(day) if day is not None else None
    day = day or CalendarDay(date=date)
    day.kind, day.name = kind, name
    day.full_clean(validate_unique=False)
    day.save()
    record(actor, "calendar.set", day, before=before, after=snapshot(day))
    return day


@transaction.atomic
def clear_calendar_day(actor: Actor, date: datetime.date) -> None:
    """Return `date` to the ordinary week (weekdays work, weekends off)."""
    require(actor, _is_admin(actor))
    day = CalendarDay.objects.select_for_update().filter(date=date).first()
    if day is None:
        return
    record(actor, "calendar.clear", day, before=snapshot(day))
    day.delete()


# --- Photos -----------------------------------------------------------------------------------


@dataclass
class PhotoUpload:
    """An already validated, re-encoded image and what the photo pipeline read from it.

    meta keys (all optional): width, height (pixels), taken_at (aware datetime), lat, lng.
    """

    file: File[Any]
    meta: dict[str, Any] = field(default_factory=dict)
    #: Called with the stored (or already stored) case photo inside the storing transaction;
    #: `juli.cases.photos` marks the staged upload attached with it.
    on_stored: Callable[[CasePhoto], None] | None = None


PHOTO_META = frozenset({"width", "height", "taken_at", "lat", "lng"})


def _sha256(file: File[Any]) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


_stored: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "juli_cases_stored_files", default=None
)


@contextmanager
def _stored_files_cleaned() -> Iterator[None]:
    """Delete the photo files stored inside the block when it fails.

    Storage is not transactional: the rows roll back, the files would stay behind. This
    covers the actions' own transactions; a caller's outer transaction that rolls back
    later leaves files for the photo pipeline's orphan sweep.
    """
    names: list[str] = []
    token = _stored.set(names)
    try:
        yield
    except BaseException:
        for name in names:
            default_storage.delete(name)
        raise
    finally:
        _stored.reset(token)


def _store_photo(
    case: Case, kind: str, upload: PhotoUpload, actor: Actor, *, at: datetime.datetime | None = None
) -> CasePhoto:
    unknown = set(upload.meta) - PHOTO_META
    if unknown:
        raise ValidationError(_("Unknown photo data: %(k)s") % {"k": ", ".join(sorted(unknown))})
    taken_at = upload.meta.get("taken_at")
    if taken_at is not None and timezone.is_naive(taken_at):
        raise ValidationError(_("The capture time must carry its time zone."))
    sha = _sha256(upload.file)
    existing = CasePhoto.objects.filter(case=case, kind=kind, sha256=sha).first()
    if existing is not None:
        if upload.on_stored is not None:
            upload.on_stored(existing)
        return existing
    photo = CasePhoto(
        case=case,
        kind=kind,
        sha256=sha,
        width=upload.meta.get("width"),
        height=upload.meta.get("height"),
        taken_at=taken_at,
        lat=upload.meta.get("lat"),
        lng=upload.meta.get("lng"),
        uploaded_by=user_of(actor),
        created_at=at or timezone.now(),
    )
    photo.full_clean(exclude=["file", "thumbnail", "case"])
    name = getattr(upload.file, "name", None) or "photo.jpg"
    photo.file.save(name.rsplit("/", 1)[-1], upload.file, save=False)
    tracked = _stored.get()
    if tracked is not None:
        tracked.append(photo.file.name or "")
    try:
        photo.save()
    except Exception:
        photo.file.delete(save=False)
        raise
    after = snapshot(photo, ["case", "kind", "sha256", "width", "height", "taken_at", "lat", "lng"])
    record(actor, f"case.photo_{kind}", photo, after={**after, "file": photo.file.name})
    if upload.on_stored is not None:
        upload.on_stored(photo)
    thumbnail_later(photo)
    return photo


def attach_photo(
    actor: Actor,
    case: Case,
    kind: str,
    file: File[Any],
    meta: dict[str, Any] | None = None,
    *,
    at: datetime.datetime | None = None,
) -> CasePhoto:
    """Attach a validated photo to a case; the same picture twice is stored once.

    Before-photos: anyone who may report in the case's area, or the office, while the case
    is open. After-photos: whoever may rectify it (unit staff of its unit, or the office on
    its behalf), while it is dispatched. Returns the stored (or already stored) photo.
    `at` backdates the upload time (the demo generator); default now.
    """
    with _stored_files_cleaned(), transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if actor is not None and not access.can_see_case(actor, case):
            raise Http404
        if kind == CasePhoto.Kind.AFTER:
            if case.status != S.DISPATCHED:
                raise TransitionError(
                    _("After-photos are added while the case is being rectified."),
                    code="illegal_state",
                )
            require(actor, access.can_act(actor, case, "rectify"))
        elif kind == CasePhoto.Kind.BEFORE:
            if case.status in {S.CLOSED, S.REJECTED}:
                raise TransitionError(_("This case is finished."), code="illegal_state")
            require(
                actor,
                access.can_report(actor, case.area_path)
                or access.holds(
                    scope_of(actor), CASE_OFFICE_ROLES, area_path=case.area_path, unit_id=None
                ),
            )
        else:
            raise ValidationError(_("A photo is a before- or an after-photo."))
        return _store_photo(case, kind, PhotoUpload(file, dict(meta or {})), actor, at=at)


# --- Cases: reporting ----------------------------------------------------------------------------


def _next_number(now: datetime.datetime) -> str:
    """2026-000042: the year's sequence, race-free (the UPDATE locks the year's row)."""
    year = timezone.localtime(now).year
    sequence, _created = CaseSequence.objects.get_or_create(year=year)
    CaseSequence.objects.filter(pk=sequence.pk).update(last=F("last") + 1)
    last = CaseSequence.objects.filter(pk=sequence.pk).values_list("last", flat=True).get()
    return f"{year}-{last:06d}"


def _event(
    case: Case,
    actor: Actor,
    action: str,
    from_status: str,
    to_status: str,
    *,
    at: datetime.datetime,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> CaseEvent:
    """Append one event of `case` (inside the step's transaction). Every case event goes
    through `juli.core.workflow.append_event`, which calls the observers of
    "cases.CaseEvent" (the stats rollups) in that same transaction."""
    return core_workflow.append_event(
        CaseEvent,
        case,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data,
        at=at,
    )


def _same_case(case: Case, actor: Actor, title: str, category: CaseCategory) -> bool:
    return (
        case.reporter_id == getattr(actor, "pk", None)
        and case.title == title
        and case.category_id == category.pk
    )


def report_source(actor: Actor, area_path: str) -> str:
    """The source a user's own report carries, from the role they hold over `area_path`.

    Inspectors, street officers and district admins (the roles that inspect, `INSPECT_ROLES`)
    report what they find as officials: `inspection`, the same source as their checklist
    failures, so the bulletin counts their findings together. Grid leaders, grid workers and
    mobile grid workers: `grid_worker`. The system (`actor=None`) has no role: `public`.
    """
    if actor is None:
        return Case.Source.PUBLIC
    if access.holds(scope_of(actor), INSPECT_ROLES, area_path=area_path, unit_id=None):
        return Case.Source.INSPECTION
    return Case.Source.GRID_WORKER


def report_case(
    actor: Actor,
    *,
    client_uuid: uuid.UUID | str,
    source: str | None = None,
    category: CaseCategory,
    title: str = "",
    area: Area | None = None,
    point: Point | None = None,
    description: str = "",
    lat: Decimal | None = None,
    lng: Decimal | None = None,
    reporter_name: str = "",
    reporter_phone: str = "",
    reporter_email: str = "",
    reporter_address: str = "",
    photos: Sequence[PhotoUpload] = (),
    at: datetime.datetime | None = None,
) -> Case:
    """Create a case in state `reported` (or `accepted`, below), with its before-photos.

    Give `point` (area and responsible unit come from it) or `area`. A user reports only
    where a reporting role covers the area (inspector, grid leader/worker, mobile grid
    worker, street officer, district admin); public (Open311) reports come with
    `actor=None`, `source="public"` and the reporter's name/phone/email/address (for the
    office only: the public feed never shows them, `publication.py`). The same
    `client_uuid` again returns the existing case (a retry); with another reporter, title or
    category it raises `ConflictError`. `at` backdates the report (the demo generator);
    default now.

    `source=None` (the phones, the API without a source): the reporter's role says it
    (`report_source`); a report whose source comes out as `inspection` (an inspector, a street
    officer or a district admin over the area: officials who inspect) is accepted on the spot
    (立案 at once), as the failed items of their checklists are. An explicit `source` (hotline,
    referral, public, the demo, imports) starts at `reported`. An empty `title` becomes the
    category's name (the phone asks for the problem in a few words, optionally).
    """
    client_uuid = uuid.UUID(str(client_uuid))
    title = title.strip() or category.name
    existing = Case.objects.filter(client_uuid=client_uuid).first()
    if existing is not None:
        if not _same_case(existing, actor, title, category):
            raise ConflictError(
                _("This submission id is already used by another case."), code="conflict"
            )
        return existing
    if point is not None:
        area = point.area
    if area is None:
        raise ValidationError({"area": _("Give the area or the point of the problem.")})
    accept_now = False
    if source is None:
        source = report_source(actor, area.path)
        accept_now = source == Case.Source.INSPECTION
    if source not in Case.Source.values:
        raise ValidationError({"source": _("Unknown source.")})
    if not category.is_active:
        raise ValidationError({"category": _("This category is no longer used.")})
    if not area.is_active:
        raise ValidationError({"area": _("This area is retired.")})
    if actor is not None and not access.can_report(actor, area.path):
        raise PermissionDenied(_("You report problems in your own area."))
    check_position(lat, lng)
    try:
        with _stored_files_cleaned(), transaction.atomic():
            now = at or timezone.now()
            case = Case(
                client_uuid=client_uuid,
                source=source,
                category=category,
                point=point,
                area=area,
                area_path=area.path,
                unit=point.responsible_unit if point is not None else None,
                title=title.strip(),
                description=description,
                lat=lat,
                lng=lng,
                reporter=user_of(actor),
                reporter_name=reporter_name,
                reporter_phone=reporter_phone,
                reporter_email=reporter_email,
                reporter_address=reporter_address,
                reported_at=now,
                status=S.ACCEPTED if accept_now else S.REPORTED,
                accepted_at=now if accept_now else None,
            )
            case.full_clean(exclude=["number", "area_path"], validate_unique=False)
            case.number = _next_number(now)
            case.save()
            for upload in photos:
                _store_photo(case, CasePhoto.Kind.BEFORE, upload, actor, at=at)
            _event(case, actor, "report", "", case.status, at=now, data={"source": source})
            record(actor, "case.report", case, after=snapshot(case))
            handover.announce_report(case, actor, now)
            return case
    except IntegrityError:
        # A concurrent retry of the same submission won the race on the unique client_uuid.
        existing = Case.objects.filter(client_uuid=client_uuid).first()
        if existing is None:
            raise
        if not _same_case(existing, actor, title, category):
            raise ConflictError(
                _("This submission id is already used by another case."), code="conflict"
            ) from None
        return existing


# --- Cases: the state machine -------------------------------------------------------------------


#: Who is told at each step: `juli.cases.handover` (kept here under their old names).
unit_contacts = handover.unit_contacts
street_officers = handover.street_officers


def _start_clock(
    case: Case, now: datetime.datetime, kwargs: dict[str, Any]
) -> tuple[list[str], dict[str, Any]]:
    case.unit = kwargs.get("unit") or case.unit
    case.dispatched_at = now
    case.deadline = case.category.deadline_from(now)
    case.escalated_at = None
    return ["unit", "dispatched_at", "deadline", "escalated_at"], {
        "unit": case.unit_id,
        "deadline": case.deadline,
    }


def _effects(
    case: Case, action: str, actor: Actor, now: datetime.datetime, note: str, kwargs: dict[str, Any]
) -> tuple[list[str], dict[str, Any]]:
    """Set the fields `action` changes; return their names and the event's data. The
    rectify step stores its after-photos here: after every check, inside the step's
    transaction."""
    user = user_of(actor)
    if action == "accept":
        case.accepted_at = now
        return ["accepted_at"], {}
    if action in {"dispatch", "resume"}:
        return _start_clock(case, now, kwargs)
    if action == "rectify":
        for upload in kwargs.get("photos") or ():
            _store_photo(case, CasePhoto.Kind.AFTER, upload, actor, at=now)
        case.rectified_at, case.rectified_by = now, user
        return ["rectified_at", "rectified_by"], {}
    if action == "verify":
        case.verified_at, case.verified_by = now, user
        return ["verified_at", "verified_by"], {}
    if action == "send_back":
        # The deadline stands: a rectification that did not hold earns no extra time, and
        # an escalation already made stays made (decided for 督办 to keep its teeth).
        rectifier = case.rectified_by_id
        case.rectified_at, case.rectified_by = None, None
        return ["rectified_at", "rectified_by"], {"deadline": case.deadline, "rectifier": rectifier}
    if action == "close":
        case.closed_at = now
        return ["closed_at"], {}
    if action == "defer":
        requester = kwargs["requested_by"]
        case.deferred_at, case.deferred_reason = now, note[:500]
        case.deferred_by, case.deferred_approver = requester, user
        return ["deferred_at", "deferred_reason", "deferred_by", "deferred_approver"], {
            "requested_by": requester.pk,
        }
    if action == "reopen":
        case.rectified_at = case.rectified_by = case.verified_at = case.verified_by = None
        case.closed_at = None
        return ["rectified_at", "rectified_by", "verified_at", "verified_by", "closed_at"], {}
    return [], {}  # reject: the note is the reason, the event keeps it


def transition(
    actor: Actor,
    case: Case,
    action: str,
    *,
    note: str = "",
    at: datetime.datetime | None = None,
    **kwargs: Any,
) -> Case:
    """Make one step of the case loop (see `TRANSITIONS` and docs/workflows.md).

    Locks the case row, checks everything (`workflow`: Http404 out of scope,
    PermissionDenied for a wrong role or a unit out of scope, TransitionError for a wrong
    state or a broken rule), then, through `juli.core.workflow.transition`, saves the
    changed fields only, appends a `CaseEvent` (its observers run) and an audit row, and
    writes the in-app notifications of the step. Returns the updated case (a fresh object:
    the one passed in is left as it was). On any refusal nothing is written.

    Extra keyword arguments: `unit` for dispatch/resume (defaults to the case's unit),
    `requested_by` (a User) for defer, where the actor is the approving officer, `photos`
    (PhotoUploads) for rectify (see `rectify_case`). `at` backdates the step (the demo
    generator replays months); default now.
    """
    with _stored_files_cleaned(), transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        workflow.precheck(actor, locked, action, kwargs)

        step_at: list[datetime.datetime] = []

        def check(actor: Actor, locked: Case, move: core_workflow.Move) -> None:
            workflow.check_transition(actor, locked, action, move, note=note, **kwargs)

        def effects(
            locked: Case, move: core_workflow.Move, now: datetime.datetime
        ) -> tuple[list[str], dict[str, Any]]:
            step_at.append(now)
            return _effects(locked, action, actor, now, note, kwargs)

        locked = core_workflow.transition(
            actor,
            locked,
            action,
            table=TRANSITIONS,
            event_model=CaseEvent,
            check=check,
            effects=effects,
            note=note,
            at=at,
            label="case",
            error=TransitionError,
            message=workflow.illegal_state_message,
            locked=True,
        )
        handover.announce_step(locked, action, note, actor, step_at[0])
    return locked


def accept_case(actor: Actor, case: Case, *, note: str = "") -> Case:
    """立案: reported → accepted (office roles over the area)."""
    return transition(actor, case, "accept", note=note)


#: The name of the combined step 立案并派遣 in forms and the API's transitions.
ACCEPT_DISPATCH = "accept_dispatch"


def accept_and_dispatch(
    actor: Actor,
    case: Case,
    *,
    unit: Unit | None = None,
    note: str = "",
    at: datetime.datetime | None = None,
    **kwargs: Any,
) -> Case:
    """立案并派遣: reported → accepted → dispatched to `unit` (or the case's unit), in one
    transaction: two steps, two events, two audit rows, each step's notifications.

    Each step is checked as if made alone (`transition`), and a refusal of either leaves
    nothing written: a unit that may not take the case refuses the whole. Arguments the
    dispatch step does not take are refused before the first step. The note goes with the
    dispatch (what the unit is told). `at` backdates both steps (the demo); default now.
    """
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        workflow.precheck(actor, locked, "dispatch", {"unit": unit, **kwargs})
        accepted = transition(actor, locked, "accept", at=at)
        dispatch_at = at + datetime.timedelta(microseconds=1) if at is not None else None
        return transition(actor, accepted, "dispatch", note=note, at=dispatch_at, unit=unit)


def reject_case(actor: Actor, case: Case, *, note: str) -> Case:
    """不予立案: reported → rejected, with the reason (office roles)."""
    return transition(actor, case, "reject", note=note)


def dispatch_case(actor: Actor, case: Case, *, unit: Unit | None = None, note: str = "") -> Case:
    """派遣: accepted → dispatched to `unit` (or the case's unit); the deadline clock starts."""
    return transition(actor, case, "dispatch", note=note, unit=unit)


def rectify_case(
    actor: Actor,
    case: Case,
    *,
    note: str = "",
    photos: Sequence[PhotoUpload] = (),
    at: datetime.datetime | None = None,
) -> Case:
    """整改完成: dispatched → rectified, by unit staff (or the office on the unit's behalf).

    `photos` are after-photos of the rectified place, stored in the step's own transaction
    once every check has passed (state, rights, the other rules): a refused step stores no
    photo and leaves no file behind (files stored before a later failure are deleted). The
    step needs at least one after-photo: among `photos` or attached before (`attach_photo`).
    `at` backdates the step and the photos (the demo); default now.
    """
    if photos:
        return transition(actor, case, "rectify", note=note, at=at, photos=list(photos))
    return transition(actor, case, "rectify", note=note, at=at)


def verify_case(actor: Actor, case: Case, *, note: str = "") -> Case:
    """核查通过: rectified → verified, by an inspector or officer other than the rectifier."""
    return transition(actor, case, "verify", note=note)


def send_back_case(actor: Actor, case: Case, *, note: str) -> Case:
    """核查不通过: rectified → dispatched with the reason; the deadline is unchanged."""
    return transition(actor, case, "send_back", note=note)


def close_case(actor: Actor, case: Case, *, note: str = "") -> Case:
    """结案: verified → closed (office roles)."""
    return transition(actor, case, "close", note=note)


def defer_case(actor: Actor, case: Case, *, requested_by: User, note: str) -> Case:
    """挂账: accepted|dispatched → deferred. The actor approves (office role); `requested_by`
    is who asked, another person working on the case; the note is the reason."""
    return transition(actor, case, "defer", note=note, requested_by=requested_by)


def resume_case(actor: Actor, case: Case, *, unit: Unit | None = None, note: str = "") -> Case:
    """销账: deferred → dispatched; a fresh deadline from now."""
    return transition(actor, case, "resume", note=note, unit=unit)


def reopen_case(actor: Actor, case: Case, *, note: str) -> Case:
    """重新立案: closed → accepted, with the reason; it is then dispatched again."""
    return transition(actor, case, "reopen", note=note)


# --- Escalation (督办) ----------------------------------------------------------------------------


def escalate_overdue(now: datetime.datetime | None = None) -> list[Case]:
    """Escalate every dispatched case past its deadline, once. Safe to run twice or in parallel.

    For each case a conditional UPDATE … WHERE escalated_at IS NULL claims it: of two runs
    only one changes the row, and only that one appends the "escalate" event, the audit row
    and the notifications to the unit's staff (its current unit_staff posts) and the
    street's officers (street_officer posts on the street above the case's area).
    Returns the cases escalated by this run.
    """
    now = now or timezone.now()
    overdue = Q(status=S.DISPATCHED, deadline__lt=now, escalated_at__isnull=True)
    escalated = []
    for pk in Case.objects.filter(overdue).order_by("deadline", "pk").values_list("pk", flat=True):
        with transaction.atomic():
            if not Case.objects.filter(overdue, pk=pk).update(escalated_at=now):
                continue  # another run took it
            case = Case.objects.get(pk=pk)
            _event(
                case,
                None,
                "escalate",
                S.DISPATCHED,
                S.DISPATCHED,
                at=now,
                data={"deadline": case.deadline},
            )
            record(None, "case.escalate", case, after={"escalated_at": now})
            handover.announce_escalation(case, now)
        escalated.append(case)
    return escalated
