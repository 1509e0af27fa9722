"""The daily plan (日调度) and inspections (日督查).

Writes of the inspection sub-workflow (split from `actions.py` by STYLE's 800-line rule);
the conventions are those of `actions.py`. A failed checklist item becomes a case through
the same helpers as `actions.report_case`.
"""

from __future__ import annotations

import datetime
import math
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from juli.core.audit import record, snapshot
from juli.core.types import Actor
from juli.core.writes import ConflictError, require
from juli.orgs.access import prefix_q, scope_of
from juli.orgs.models import Post, User
from juli.orgs.roles import Role

from . import access, handover
from .actions import (
    PhotoUpload,
    _event,
    _next_number,
    _store_photo,
    _stored_files_cleaned,
)
from .models import (
    CASE_OFFICE_ROLES,
    INSPECT_ROLES,
    Case,
    CasePhoto,
    ChecklistItem,
    Inspection,
    InspectionAssignment,
    InspectionResult,
    Point,
    check_position,
)

S = Case.Status

# --- Daily plan (日调度) ----------------------------------------------------------------------------


@dataclass
class PlanReport:
    date: datetime.date
    created: list[InspectionAssignment] = field(default_factory=list)
    already_planned: int = 0
    #: Due points with no inspector post above them: somebody must appoint one.
    unassigned: list[Point] = field(default_factory=list)


def _day_start(date: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(
        date, datetime.time.min, tzinfo=timezone.get_current_timezone()
    )


def due_points(date: datetime.date, points: QuerySet[Point]) -> list[Point]:
    """Active points due on `date`: never inspected, or last inspected (before `date`) at
    least their category's frequency in days ago. Same-day inspections do not count, so
    the answer for a day does not change during that day."""
    rows = (
        points.filter(is_active=True, category__is_active=True)
        .select_related("category")
        .annotate(
            last=Max(
                "inspections__started_at", filter=Q(inspections__started_at__lt=_day_start(date))
            )
        )
        .order_by("area_path", "name", "pk")
    )
    return [
        p
        for p in rows
        if p.last is None
        or (date - timezone.localtime(p.last).date()).days >= p.category.frequency_days  # type: ignore[attr-defined]
    ]


def _inspector_posts() -> list[tuple[int, str]]:
    """(user id, area path) of every current inspector post held by an active account."""
    today = timezone.localdate()
    posts = (
        Post.objects.filter(
            role=Role.INSPECTOR, area__isnull=False, area__is_active=True, started_on__lte=today
        )
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
        .filter(person__user__is_active=True)
        .values_list("person__user__id", "area__path")
    )
    return sorted(set(posts))


@transaction.atomic
def plan_day(date: datetime.date, *, actor: Actor = None) -> PlanReport:
    """Assign every point due on `date` to an inspector of its street. Idempotent.

    Eligible inspectors hold an inspector post on an ancestor area of the point. Points
    sharing the same eligible inspectors are taken in (area path, name) order, so that a
    micro-grid's points stay together, and cut into consecutive runs so that every
    inspector ends the day with the same count (±1), counting what was already planned.
    Points already planned for the day keep their inspector: running it again adds only
    points that became due (e.g. a new point) and otherwise changes nothing. With an actor,
    only the points under the actor's office areas are planned.
    """
    points = Point.objects.all()
    if actor is not None:
        scope = scope_of(actor)
        if not scope.superuser:
            paths = scope.paths("area", CASE_OFFICE_ROLES)
            require(actor, bool(paths))
            points = points.filter(prefix_q("area_path", paths))
    report = PlanReport(date=date)
    planned = dict(
        InspectionAssignment.objects.filter(date=date).values_list("point_id", "inspector_id")
    )
    counts: dict[int, int] = defaultdict(int)
    next_order: dict[int, int] = defaultdict(int)
    for inspector_id, order in InspectionAssignment.objects.filter(date=date).values_list(
        "inspector_id", "order"
    ):
        counts[inspector_id] += 1
        next_order[inspector_id] = max(next_order[inspector_id], order + 1)
    inspectors = _inspector_posts()
    groups: dict[tuple[int, ...], list[Point]] = defaultdict(list)
    for point in due_points(date, points):
        if point.pk in planned:
            report.already_planned += 1
            continue
        eligible = tuple(
            sorted({uid for uid, path in inspectors if point.area_path.startswith(path)})
        )
        if not eligible:
            report.unassigned.append(point)
        else:
            groups[eligible].append(point)
    for eligible, group in sorted(groups.items()):
        quota = math.ceil((sum(counts[i] for i in eligible) + len(group)) / len(eligible))
        pending = list(eligible)
        for point in group:
            while counts[pending[0]] >= quota:
                pending.pop(0)
            inspector_id = pending[0]
            assignment = InspectionAssignment.objects.create(
                date=date, point=point, inspector_id=inspector_id, order=next_order[inspector_id]
            )
            counts[inspector_id] += 1
            next_order[inspector_id] += 1
            record(actor, "assignment.plan", assignment, after=snapshot(assignment))
            report.created.append(assignment)
    return report


@transaction.atomic
def reassign(
    actor: Actor, assignment: InspectionAssignment, inspector: User
) -> InspectionAssignment:
    """Give a planned point to another inspector (office roles over the point), last in
    that inspector's order. The new inspector must hold an inspecting role over the point."""
    assignment = (
        InspectionAssignment.objects.select_for_update()
        .select_related("point")
        .get(pk=assignment.pk)
    )
    require(actor, access.can_manage_point(actor, assignment.point.area_path))
    if not access.can_inspect(inspector, assignment.point):
        raise ValidationError(_("%(u)s does not inspect this point's area.") % {"u": inspector})
    if inspector.pk == assignment.inspector_id:
        return assignment
    before = snapshot(assignment)
    last = InspectionAssignment.objects.filter(date=assignment.date, inspector=inspector).aggregate(
        m=Max("order")
    )["m"]
    assignment.inspector = inspector
    assignment.order = 0 if last is None else last + 1
    assignment.save(update_fields=["inspector", "order"])
    record(actor, "assignment.reassign", assignment, before=before, after=snapshot(assignment))
    return assignment


# --- Inspections (日督查) -------------------------------------------------------------------------


@dataclass
class ResultInput:
    """One checklist answer: a failed item may carry photos (they become before-photos)."""

    item: ChecklistItem
    passed: bool
    note: str = ""
    photos: Sequence[PhotoUpload] = ()


def distance_m(lat1: Decimal, lng1: Decimal, lat2: Decimal, lng2: Decimal) -> int:
    """Great-circle distance in metres (haversine, mean Earth radius)."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lng2) - float(lng1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return round(2 * 6_371_008.8 * math.asin(math.sqrt(a)))


def far_threshold_m() -> int:
    return int(getattr(settings, "JULI_INSPECTION_FAR_METRES", 300))


def check_started_at(started_at: datetime.datetime, now: datetime.datetime) -> None:
    """The start time a phone sends lies between JULI_INSPECTION_BACKDATE_HOURS before `now`
    (a phone kept its outbox offline that long) and JULI_CLOCK_SKEW_MINUTES after it (a phone
    clock running fast); anything else is a wrong clock or a made-up date (1970, next year),
    and would file the inspection under a day it did not happen. Refused at the field."""
    hours = int(getattr(settings, "JULI_INSPECTION_BACKDATE_HOURS", 72))
    skew = int(getattr(settings, "JULI_CLOCK_SKEW_MINUTES", 10))
    if timezone.is_naive(started_at):
        raise ValidationError({"started_at": [_("The start time must carry its time zone.")]})
    if started_at > now + datetime.timedelta(minutes=skew):
        raise ValidationError(
            {"started_at": [_("The start time is in the future: check the phone's clock.")]}
        )
    if started_at < now - datetime.timedelta(hours=hours):
        raise ValidationError(
            {
                "started_at": [
                    _(
                        "The start time is more than %(hours)d hours ago: an inspection is "
                        "sent within %(hours)d hours."
                    )
                    % {"hours": hours}
                ]
            }
        )


def _as_result(raw: ResultInput | Sequence[Any]) -> ResultInput:
    if isinstance(raw, ResultInput):
        return raw
    item, passed, *rest = raw
    note = rest[0] if rest else ""
    photos = [
        p if isinstance(p, PhotoUpload) else PhotoUpload(*p)
        for p in (rest[1] if len(rest) > 1 else ())
    ]
    return ResultInput(item, passed, note or "", photos)


def submit_inspection(
    actor: Actor,
    *,
    client_uuid: uuid.UUID | str,
    point: Point,
    results: Sequence[ResultInput | Sequence[Any]],
    started_at: datetime.datetime,
    lat: Decimal | None = None,
    lng: Decimal | None = None,
    at: datetime.datetime | None = None,
) -> Inspection:
    """Record one filled checklist and turn every failed item into a case, in one transaction.

    `results`: `ResultInput`s or tuples (item, passed, note, photos), items of the point's
    category (an item retired since the phone loaded the checklist still counts), each at
    most once; items not answered are not recorded. Each failed item becomes a case in
    state `accepted` (an inspector is an official: 立案 at once), source inspection, the
    item's case category and deduction, the point's area and responsible unit, its photos as
    before-photos; its client UUID is derived from the inspection's, so a retry makes
    nothing new. A GPS fix farther than JULI_INSPECTION_FAR_METRES (300) from the point is
    flagged `far_from_point`, never refused; half a position, NaN or one out of range is
    refused (`models.check_position`), and so is a `started_at` outside the window of
    `check_started_at`. Same `client_uuid` again: the inspection already made; with another
    inspector or point: `ConflictError`. `at` backdates the submission (the demo generator);
    default now.
    """
    client_uuid = uuid.UUID(str(client_uuid))
    if not isinstance(actor, User):  # None (the system); every signed-in actor is a User
        raise ValidationError(_("An inspection is made by an inspector."))
    existing = Inspection.objects.filter(client_uuid=client_uuid).first()
    if existing is not None:
        return _same_inspection(existing, actor, point)
    if not access.holds(scope_of(actor), INSPECT_ROLES, area_path=point.area_path, unit_id=None):
        raise PermissionDenied(_("You inspect points in your own area."))
    now = at or timezone.now()
    check_started_at(started_at, now)
    check_position(lat, lng)
    answers = [_as_result(r) for r in results]
    if not answers:
        raise ValidationError(_("Answer at least one checklist item."))
    seen: set[int] = set()
    for answer in answers:
        if answer.item.point_category_id != point.category_id:
            raise ValidationError(
                _("“%(i)s” is not on this point's checklist.") % {"i": answer.item}
            )
        if answer.item.pk in seen:
            raise ValidationError(_("“%(i)s” is answered twice.") % {"i": answer.item})
        seen.add(answer.item.pk)
        if answer.passed and answer.photos:
            raise ValidationError(_("Photos go with failed items."))
    distance = None
    if None not in (lat, lng, point.lat, point.lng):
        distance = distance_m(lat, lng, point.lat, point.lng)  # type: ignore[arg-type]
    try:
        with _stored_files_cleaned(), transaction.atomic():
            return _create_inspection(
                actor, client_uuid, point, answers, started_at, lat, lng, distance, now
            )
    except IntegrityError:
        existing = Inspection.objects.filter(client_uuid=client_uuid).first()
        if existing is None:
            raise
        return _same_inspection(existing, actor, point)


def _same_inspection(existing: Inspection, actor: User, point: Point) -> Inspection:
    if existing.inspector_id != actor.pk or existing.point_id != point.pk:
        raise ConflictError(
            _("This submission id is already used by another inspection."), code="conflict"
        )
    return existing


def _create_inspection(
    actor: User,
    client_uuid: uuid.UUID,
    point: Point,
    answers: list[ResultInput],
    started_at: datetime.datetime,
    lat: Decimal | None,
    lng: Decimal | None,
    distance: int | None,
    now: datetime.datetime,
) -> Inspection:
    assignment = InspectionAssignment.objects.filter(
        date=timezone.localtime(started_at).date(), point=point
    ).first()
    failed = [a for a in answers if not a.passed]
    has_position = point.lat is not None and point.lng is not None
    inspection = Inspection.objects.create(
        client_uuid=client_uuid,
        point=point,
        area_path=point.area_path,
        inspector=actor,
        assignment=assignment,
        started_at=started_at,
        submitted_at=now,
        lat=lat,
        lng=lng,
        distance_m=distance,
        far_from_point=distance is not None and distance > far_threshold_m(),
        deduction=sum((a.item.deduction for a in failed), Decimal("0")),
    )
    InspectionResult.objects.bulk_create(
        [
            InspectionResult(inspection=inspection, item=a.item, passed=a.passed, note=a.note[:500])
            for a in answers
        ]
    )
    record(actor, "inspection.submit", inspection, after=snapshot(inspection))
    for answer in failed:
        item = answer.item
        case = Case(
            client_uuid=uuid.uuid5(client_uuid, f"item:{item.pk}"),
            source=Case.Source.INSPECTION,
            category=item.case_category,
            point=point,
            area=point.area,
            area_path=point.area_path,
            unit=point.responsible_unit,
            title=f"{point.name}：{item.text}"[:200],
            description=answer.note,
            # The point's position when it has one, else the phone's: never half of each.
            lat=point.lat if has_position else lat,
            lng=point.lng if has_position else lng,
            status=S.ACCEPTED,
            reporter=actor,
            inspection=inspection,
            checklist_item=item,
            deduction=item.deduction,
            reported_at=now,
            accepted_at=now,
        )
        case.number = _next_number(now)
        case.save()
        for upload in answer.photos:
            _store_photo(case, CasePhoto.Kind.BEFORE, upload, actor, at=now)
        _event(
            case,
            actor,
            "report",
            "",
            S.ACCEPTED,
            at=now,
            note=answer.note,
            data={"source": "inspection", "inspection": inspection.pk, "item": item.pk},
        )
        record(actor, "case.report", case, after=snapshot(case))
        handover.announce_report(case, actor, now)
    return inspection
