"""Every write of observation visits: cycles and their plan, visits, score sheets, tiers,
feedback, rectification items and their evidence, escalation.

Each function checks the actor's right (`actor=None` is the system: the demo, the daily
job), validates with errors at the field (`ObservationError`, a ValidationError with a
`code`), writes in one transaction, appends an audit row and, for a workflow step, an event
row. A refusal writes nothing (files stored on the way are deleted again).

Codes: `dates`, `too_few_branches`, `too_many_visitors`, `too_short` (planning);
`not_same_cycle`, `not_planned`, `reason` (swap); `out_of_range`, `not_scorer` (403),
`scoring_closed`, `already_scored` (409), `conflict` (a client id reused, 409); `no_sheets`,
`feedback`; `owner`, `deadline`, `title`; `evidence`, `file`; `illegal_state` from the
workflow tables.
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Avg, Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from juli.core import actions as core_actions
from juli.core.attachments import AttachmentRefused, clean_attachment
from juli.core.audit import record
from juli.core.models import Upload
from juli.core.types import Actor
from juli.core.workflow import append_event, check_move, lock, transition
from juli.core.writes import ConflictError, require, user_of
from juli.notify.actions import notify
from juli.notify.text import lazy_format
from juli.orgs.models import PartyOrg, Person, User
from juli.orgs.queries import branches_under, current_post_q

from . import rotation
from .access import (
    HOST_ROLES,
    RUN_ROLES,
    SCORER_ROLES,
    can_close,
    can_reopen,
    can_run_cycle,
    scorer_orgs,
)
from .models import (
    ASPECT_MAX,
    ASPECTS,
    CYCLE_TRANSITIONS,
    RECTIFICATION_TRANSITIONS,
    VISIT_TRANSITIONS,
    CycleEvent,
    ObservationCycle,
    ObservationVisit,
    Rectification,
    RectificationEvent,
    RectificationFile,
    ScoreSheet,
    VisitEvent,
    VisitVisitor,
)
from .notices import RECTIFICATION_ASSIGNED, RECTIFICATION_ESCALATED, VISIT_PLANNED
from .tiers import tiers

#: At most this many files are attached in one step.
MAX_FILES = 10


class ObservationError(ValidationError):
    """A refused write, with a code (and the field, when given as a dict: Django keeps no
    code on a dict of errors, so it is kept here)."""

    def __init__(self, message: Any, code: str | None = None, params: Any = None) -> None:
        super().__init__(message, code, params)
        if code is not None:
            self.code = code


def _error(field: str, message: str, code: str) -> ObservationError:
    return ObservationError({field: ObservationError(message, code=code)}, code=code)


# --- who is told ------------------------------------------------------------------------------


def officer_users(paths: Iterable[str], roles: Iterable[str]) -> dict[str, list[int]]:
    """The active users holding a current post of `roles` in each organisation (one query)."""
    wanted = list(set(paths))
    out: dict[str, list[int]] = defaultdict(list)
    if not wanted:
        return out
    rows = (
        User.objects.filter(
            current_post_q("person__posts__"),
            is_active=True,
            person__posts__org__path__in=wanted,
            person__posts__role__in=list(roles),
        )
        .values_list("pk", "person__posts__org__path")
        .distinct()
    )
    for pk, path in rows:
        if pk not in out[path]:
            out[path].append(pk)
    return out


def _users_of(person: Person) -> list[int]:
    return list(User.objects.filter(person=person, is_active=True).values_list("pk", flat=True))


# --- cycles -----------------------------------------------------------------------------------


#: The hosts of a cycle: the active branches under its organisation, in the tree's order.
cycle_branches = branches_under


@transaction.atomic
def create_cycle(
    actor: Actor,
    org: PartyOrg,
    *,
    title: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    visitors_per_visit: int = 0,
    announce: bool = True,
) -> ObservationCycle:
    """Open a cycle over `org`'s active branches and compute its plan (`rotation`)."""
    require(actor, actor is None or can_run_cycle(actor, ObservationCycle(org_path=org.path)))
    title = (title or "").strip()
    if not title:
        raise _error("title", _("Give the cycle a title."), "title")
    if len(title) > 200:
        raise _error("title", _("At most 200 characters."), "title")
    if ends_on < starts_on:
        raise _error("ends_on", _("The cycle ends before it starts."), "dates")
    if org.kind in (PartyOrg.Kind.BRANCH, PartyOrg.Kind.GROUP) or not org.is_active:
        raise _error("org", _("Choose an active organisation above the branches."), "org")
    if isinstance(visitors_per_visit, bool) or not isinstance(visitors_per_visit, int):
        raise _error("visitors_per_visit", _("Enter a whole number."), "invalid")
    branches = cycle_branches(org)
    try:
        slots = rotation.plan(len(branches), starts_on, ends_on, visitors_per_visit)
    except rotation.PlanError as exc:
        messages = {
            "too_few_branches": _("A cycle needs at least two active branches under %(org)s.")
            % {"org": org.name},
            "too_many_visitors": _("At most %(n)s visiting branches per visit (every other one).")
            % {"n": max(len(branches) - 1, 0)},
            "too_short": _(
                "%(n)s branches need at least %(n)s working days: make the cycle longer."
            )
            % {"n": len(branches)},
        }
        field = "visitors_per_visit" if exc.code == "too_many_visitors" else "ends_on"
        if exc.code == "too_few_branches":
            field = "org"
        raise _error(field, messages[exc.code], exc.code) from None
    cycle = ObservationCycle.objects.create(
        org=org,
        org_path=org.path,
        title=title,
        starts_on=starts_on,
        ends_on=ends_on,
        visitors_per_visit=visitors_per_visit,
        created_by=user_of(actor),
    )
    visits = []
    guests: list[VisitVisitor] = []
    for slot in slots:
        host, visitors = rotation.assign(branches, slot)
        visit = ObservationVisit.objects.create(
            cycle=cycle,
            host=host,
            host_path=host.path,
            sequence=slot.sequence,
            scheduled_on=slot.day,
        )
        visits.append((visit, visitors))
        guests.extend(VisitVisitor(visit=visit, org=v, org_path=v.path) for v in visitors)
    VisitVisitor.objects.bulk_create(guests)
    append_event(
        CycleEvent, cycle, actor=actor, action="create", from_status="", to_status=cycle.status
    )
    record(
        actor,
        "observation.cycle.create",
        cycle,
        after={
            "title": title,
            "org": org.pk,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "visitors_per_visit": visitors_per_visit,
            "visits": len(visits),
        },
    )
    if announce:
        _announce_plan(cycle, visits)
    return cycle


def _announce_plan(
    cycle: ObservationCycle, visits: Sequence[tuple[ObservationVisit, list[PartyOrg]]]
) -> None:
    """Tell each visit's host officers and visiting scorers its date (one notice per visit)."""
    officers = officer_users([b.path for b in cycle_branches(cycle.org)], HOST_ROLES)
    for visit, visitors in visits:
        users = list(officers.get(visit.host_path, []))
        for org in visitors:
            users.extend(officers.get(org.path, []))
        notify(
            f"observation.visit:{visit.pk}:planned:{visit.scheduled_on.isoformat()}",
            kind=VISIT_PLANNED.key,
            title=lazy_format(
                gettext_lazy("Observation visit: %(host)s on %(day)s"),
                host=visit.host.name,
                day=visit.scheduled_on.isoformat(),
            ),
            text=cycle.title,
            url=reverse("observation-visit", args=[visit.pk]),
            users=sorted(set(users)),
            org=visit.host,
        )


def close_cycle(actor: Actor, cycle: ObservationCycle) -> ObservationCycle:
    def check(actor: Actor, locked: ObservationCycle, move: Any) -> None:
        require(actor, actor is None or can_run_cycle(actor, locked))

    return transition(
        actor,
        cycle,
        "close",
        table=CYCLE_TRANSITIONS,
        event_model=CycleEvent,
        check=check,
        error=ObservationError,
        audit_verb="observation.cycle.close",
    )


@transaction.atomic
def swap_slots(
    actor: Actor, first: ObservationVisit, second: ObservationVisit, *, reason: str
) -> tuple[ObservationVisit, ObservationVisit]:
    """Exchange the dates (and places in the plan) of two planned visits of one cycle, with
    a reason. The hosts keep their visitors: a host still never visits itself and every
    branch visits as often as before."""
    require(actor, actor is None or can_run_cycle(actor, first.cycle))
    reason = (reason or "").strip()
    if not reason:
        raise _error("reason", _("Give the reason for the swap."), "reason")
    if first.cycle_id != second.cycle_id or first.pk == second.pk:
        raise _error("other", _("Choose another visit of the same cycle."), "not_same_cycle")
    a, b = (
        ObservationVisit.objects.select_for_update()
        .select_related("host")
        .filter(pk__in=[first.pk, second.pk])
        .order_by("pk")
    )
    if a.pk != first.pk:
        a, b = b, a
    planned = ObservationVisit.Status.PLANNED
    if a.status != planned or b.status != planned:
        raise _error("other", _("Only planned visits can swap their dates."), "not_planned")
    slots = (a.scheduled_on, a.sequence), (b.scheduled_on, b.sequence)
    # Free the sequences first: (cycle, sequence) is unique.
    ObservationVisit.objects.filter(pk=a.pk).update(sequence=0)
    ObservationVisit.objects.filter(pk=b.pk).update(scheduled_on=slots[0][0], sequence=slots[0][1])
    ObservationVisit.objects.filter(pk=a.pk).update(scheduled_on=slots[1][0], sequence=slots[1][1])
    a.scheduled_on, a.sequence = slots[1]
    b.scheduled_on, b.sequence = slots[0]
    for visit, other, old in ((a, b, slots[0]), (b, a, slots[1])):
        data = {"with": other.pk, "from": old[0], "to": visit.scheduled_on}
        append_event(
            VisitEvent,
            visit,
            actor=actor,
            action="swap",
            from_status=visit.status,
            to_status=visit.status,
            note=reason,
            data=data,
        )
        record(
            actor,
            "observation.visit.swap",
            visit,
            before={"scheduled_on": old[0]},
            after={"scheduled_on": visit.scheduled_on, "with": other.pk},
            note=reason,
        )
    officers = officer_users([a.host_path, b.host_path], HOST_ROLES)
    for visit in (a, b):
        notify(
            f"observation.visit:{visit.pk}:planned:{visit.scheduled_on.isoformat()}",
            kind=VISIT_PLANNED.key,
            title=lazy_format(
                gettext_lazy("Observation visit: %(host)s on %(day)s"),
                host=visit.host.name,
                day=visit.scheduled_on.isoformat(),
            ),
            text=reason,
            url=reverse("observation-visit", args=[visit.pk]),
            users=officers.get(visit.host_path, []),
            org=visit.host,
        )
    return a, b


@transaction.atomic
def reschedule_visit(
    actor: Actor, visit: ObservationVisit, *, day: datetime.date, reason: str
) -> ObservationVisit:
    """Move a planned visit to another day of its cycle, with a reason (recorded)."""
    locked = lock(visit, ObservationVisit.objects.select_related("cycle", "host"))
    require(actor, actor is None or can_run_cycle(actor, locked.cycle))
    reason = (reason or "").strip()
    if not reason:
        raise _error("reason", _("Give the reason for the new date."), "reason")
    if locked.status != ObservationVisit.Status.PLANNED:
        raise _error("day", _("Only planned visits can move."), "not_planned")
    if not locked.cycle.starts_on <= day <= locked.cycle.ends_on:
        raise _error("day", _("The day lies outside the cycle."), "dates")
    old = locked.scheduled_on
    locked.scheduled_on = day
    locked.save(update_fields=["scheduled_on"])
    append_event(
        VisitEvent,
        locked,
        actor=actor,
        action="move",
        from_status=locked.status,
        to_status=locked.status,
        note=reason,
        data={"from": old, "to": day},
    )
    record(
        actor,
        "observation.visit.move",
        locked,
        before={"scheduled_on": old},
        after={"scheduled_on": day},
        note=reason,
    )
    return locked


# --- visits -----------------------------------------------------------------------------------


def _run_check(actor: Actor, visit: ObservationVisit) -> None:
    require(actor, actor is None or can_run_cycle(actor, visit.cycle))


def hold_visit(actor: Actor, visit: ObservationVisit, *, shown: str) -> ObservationVisit:
    """Record that the visit took place, and what the host showed."""
    shown = (shown or "").strip()

    def check(actor: Actor, locked: ObservationVisit, move: Any) -> None:
        _run_check(actor, locked)
        if not shown:
            raise _error("shown", _("Say what the host showed."), "shown")
        if locked.scheduled_on > timezone.localdate():
            raise _error("shown", _("The visit's day has not come yet."), "not_yet")

    def effects(locked: ObservationVisit, move: Any, now: Any) -> tuple[list[str], dict[str, Any]]:
        locked.shown = shown
        return ["shown"], {"shown": shown}

    return transition(
        actor,
        visit,
        "hold",
        table=VISIT_TRANSITIONS,
        event_model=VisitEvent,
        check=check,
        effects=effects,
        error=ObservationError,
        audit_verb="observation.visit.hold",
        queryset=ObservationVisit.objects.select_related("cycle", "host"),
    )


def aspect_values(values: Mapping[str, Any]) -> dict[str, int]:
    """The five aspects as whole numbers 0–20, or an error naming each bad one."""
    out: dict[str, int] = {}
    errors: dict[str, Any] = {}
    for name in ASPECTS:
        raw = values.get(name)
        if isinstance(raw, str) and raw.strip().isascii() and raw.strip().isdigit():
            raw = int(raw.strip())
        if raw is None or raw == "":
            errors[name] = ObservationError(_("Give a score from 0 to 20."), code="required")
        elif isinstance(raw, bool) or not isinstance(raw, int):
            errors[name] = ObservationError(
                _("Enter a whole number from 0 to 20."), code="out_of_range"
            )
        elif not 0 <= raw <= ASPECT_MAX:
            errors[name] = ObservationError(
                _("A score is from 0 to 20; %(n)s is not.") % {"n": raw}, code="out_of_range"
            )
        else:
            out[name] = raw
    if errors:
        code = "required" if all(e.code == "required" for e in errors.values()) else "out_of_range"
        raise ObservationError(errors, code=code)
    return out


def submit_sheet(
    actor: Actor,
    visit: ObservationVisit,
    *,
    values: Mapping[str, Any],
    comment: str = "",
    client_uuid: uuid.UUID | None = None,
) -> tuple[ScoreSheet, bool]:
    """One visiting officer's score of the host: (sheet, created). The same `client_uuid`
    again (a phone's replay) returns the stored sheet without writing; a second sheet by
    the same person is refused (`already_scored`)."""
    if actor is None:
        raise PermissionDenied
    with transaction.atomic():
        locked = lock(visit, ObservationVisit.objects.select_related("cycle", "host"))
        if client_uuid is not None:
            known = ScoreSheet.objects.filter(client_uuid=client_uuid).first()
            if known is not None:
                if known.scorer_id != actor.pk or known.visit_id != locked.pk:
                    raise ConflictError(
                        _("This submission id was already used for something else."),
                        code="conflict",
                    )
                return known, False
        orgs = scorer_orgs(actor, locked)
        if not orgs:
            raise PermissionDenied(
                _("Only the visiting branches' secretaries and committee members score this visit.")
            )
        if not locked.scoring_open:
            raise ObservationError(_("Scoring of this visit is not open."), code="scoring_closed")
        scores = aspect_values(values)
        comment = (comment or "").strip()
        if len(comment) > 500:
            raise _error("comment", _("At most 500 characters."), "too_long")
        if ScoreSheet.objects.filter(visit=locked, scorer_id=actor.pk).exists():
            raise ObservationError(_("You have already scored this visit."), code="already_scored")
        sheet = ScoreSheet.objects.create(
            visit=locked,
            visitor_org=orgs[0],
            scorer_id=actor.pk,
            person_id=getattr(actor, "person_id", None),
            total=sum(scores.values()),
            comment=comment,
            client_uuid=client_uuid,
            **scores,
        )
        ObservationVisit.objects.filter(pk=locked.pk).update(
            sheets=ScoreSheet.objects.filter(visit=locked).count()
        )
        record(
            actor,
            "observation.sheet.submit",
            sheet,
            after={**scores, "total": sheet.total, "comment": comment, "visit": locked.pk},
            scope=("org", locked.host_path),
        )
    return sheet, True


def _quantize(value: Any) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def retier(cycle: ObservationCycle) -> dict[int, str]:
    """Work the tiers of the cycle's scored visits out again (`tiers.py`); inside the
    caller's transaction. Returns {visit id: tier}."""
    averages: dict[int, Any] = dict(
        ObservationVisit.objects.filter(cycle=cycle, average__isnull=False).values_list(
            "pk", "average"
        )
    )
    result = tiers(averages)
    for tier in {*result.values()}:
        ids = [pk for pk, t in result.items() if t == tier]
        ObservationVisit.objects.filter(pk__in=ids).exclude(tier=tier).update(tier=tier)
    return result


def finish_scoring(actor: Actor, visit: ObservationVisit) -> ObservationVisit:
    """End the scoring: the average of the sheets is kept and the cycle's tiers recomputed."""

    def check(actor: Actor, locked: ObservationVisit, move: Any) -> None:
        _run_check(actor, locked)
        if not ScoreSheet.objects.filter(visit=locked).exists():
            raise ObservationError(_("No score sheet has been submitted yet."), code="no_sheets")

    def effects(locked: ObservationVisit, move: Any, now: Any) -> tuple[list[str], dict[str, Any]]:
        agg = ScoreSheet.objects.filter(visit=locked).aggregate(avg=Avg("total"), n=Count("pk"))
        locked.average = _quantize(agg["avg"])
        locked.sheets = agg["n"]
        return ["average", "sheets"], {"average": locked.average, "sheets": locked.sheets}

    with transaction.atomic():
        done = transition(
            actor,
            visit,
            "score",
            table=VISIT_TRANSITIONS,
            event_model=VisitEvent,
            check=check,
            effects=effects,
            error=ObservationError,
            audit_verb="observation.visit.score",
            queryset=ObservationVisit.objects.select_related("cycle", "host"),
        )
        done.tier = retier(done.cycle).get(done.pk, "")
    return done


def close_visit(actor: Actor, visit: ObservationVisit, *, feedback: str) -> ObservationVisit:
    """The organiser's feedback to the host; the visit is done."""
    feedback = (feedback or "").strip()

    def check(actor: Actor, locked: ObservationVisit, move: Any) -> None:
        _run_check(actor, locked)
        if not feedback:
            raise _error("feedback", _("Write the feedback to the host."), "feedback")
        if len(feedback) > 5000:
            raise _error("feedback", _("At most 5000 characters."), "feedback")

    def effects(locked: ObservationVisit, move: Any, now: Any) -> tuple[list[str], dict[str, Any]]:
        locked.feedback = feedback
        return ["feedback"], {"feedback": feedback}

    return transition(
        actor,
        visit,
        "close",
        table=VISIT_TRANSITIONS,
        event_model=VisitEvent,
        check=check,
        effects=effects,
        error=ObservationError,
        audit_verb="observation.visit.close",
        queryset=ObservationVisit.objects.select_related("cycle", "host"),
    )


# --- rectifications ---------------------------------------------------------------------------


def host_people(visit: ObservationVisit) -> Any:
    """The people an item may be given to: the host branch's members and officers."""
    posted = Person.objects.filter(
        current_post_q("posts__"), posts__org__path=visit.host_path
    ).values("pk")
    return (
        Person.objects.filter(is_active=True)
        .filter(Q(org_path__startswith=visit.host_path) | Q(pk__in=posted))
        .order_by("name", "pk")
    )


@transaction.atomic
def add_rectification(
    actor: Actor,
    visit: ObservationVisit,
    *,
    title: str,
    owner: Person | None,
    deadline: datetime.date | None,
    detail: str = "",
) -> Rectification:
    locked = lock(visit, ObservationVisit.objects.select_related("cycle", "host"))
    _run_check(actor, locked)
    title = (title or "").strip()
    errors: dict[str, Any] = {}
    if not title or len(title) > 200:
        errors["title"] = ObservationError(
            _("Give the item a title (at most 200 characters)."), code="title"
        )
    if owner is None or not host_people(locked).filter(pk=owner.pk).exists():
        errors["owner"] = ObservationError(_("Choose a person of the host branch."), code="owner")
    if deadline is None:
        errors["deadline"] = ObservationError(_("Give a deadline."), code="deadline")
    elif deadline < locked.scheduled_on:
        errors["deadline"] = ObservationError(
            _("The deadline cannot be before the visit."), code="deadline"
        )
    if locked.status == ObservationVisit.Status.PLANNED:
        errors["title"] = ObservationError(
            _("Items are given after the visit has taken place."), code="illegal_state"
        )
    if errors:
        raise ObservationError(errors, code=next(iter(errors.values())).code)
    assert owner is not None and deadline is not None
    item = Rectification.objects.create(
        visit=locked,
        host=locked.host,
        host_path=locked.host_path,
        title=title,
        detail=(detail or "").strip(),
        owner=owner,
        deadline=deadline,
    )
    append_event(
        RectificationEvent, item, actor=actor, action="create", from_status="", to_status="open"
    )
    record(
        actor,
        "observation.rectification.create",
        item,
        after={"title": title, "owner": owner.pk, "deadline": deadline, "visit": locked.pk},
    )
    notify(
        f"observation.rectification:{item.pk}:assigned",
        kind=RECTIFICATION_ASSIGNED.key,
        title=lazy_format(
            gettext_lazy("Rectification item for you: %(title)s, by %(day)s"),
            title=title,
            day=deadline.isoformat(),
        ),
        text=item.detail or title,
        url=reverse("observation-rectification", args=[item.pk]),
        users=sorted(
            {*_users_of(owner), *officer_users([locked.host_path], HOST_ROLES)[locked.host_path]}
        ),
        org=locked.host,
    )
    return item


def _store_files(
    actor: Actor, item: Rectification, files: Sequence[Any], uploads: Sequence[Upload]
) -> list[RectificationFile]:
    """Check every file first (nothing stored if one is refused), then store them all."""
    if len(files) + len(uploads) > MAX_FILES:
        raise _error("files", _("At most %(n)s files at once.") % {"n": MAX_FILES}, "file")
    cleaned = []
    for upload in files:
        try:
            cleaned.append(clean_attachment(upload))
        except AttachmentRefused as exc:
            raise _error("files", exc.text, exc.code or "file") from None
        except ValidationError as exc:
            raise _error("files", " ".join(exc.messages), exc.code or "file") from None
    stored: list[RectificationFile] = []
    try:
        for content, name, content_type in cleaned:
            row = RectificationFile(
                rectification=item,
                name=name,
                content_type=content_type,
                size=content.size,
                uploaded_by=user_of(actor),
            )
            row.file.save(name, content, save=False)
            row.save()
            stored.append(row)
        for upload in uploads:
            with upload.file.open("rb") as source:
                data = source.read()
            name = f"photo-{str(upload.pk)[:8]}.jpg"
            row = RectificationFile(
                rectification=item,
                name=name,
                content_type="image/jpeg",
                size=len(data),
                uploaded_by=user_of(actor),
            )
            row.file.save(name, ContentFile(data), save=False)
            row.save()
            core_actions.mark_attached(actor, upload, row)
            stored.append(row)
    except BaseException:
        for row in stored:
            row.file.delete(save=False)
        raise
    return stored


def add_evidence(
    actor: Actor, item: Rectification, *, files: Sequence[Any] = (), uploads: Sequence[Any] = ()
) -> list[RectificationFile]:
    """Attach files to an open item's evidence (it stays open)."""
    with transaction.atomic():
        locked = lock(item, Rectification.objects.select_related("visit__cycle"))
        require(actor, actor is None or can_close(actor, locked))
        if locked.status != Rectification.Status.OPEN:
            raise ObservationError(_("This item is closed."), code="illegal_state")
        if not files and not uploads:
            raise _error("files", _("Choose a file."), "file")
        staged = core_actions.claim_uploads(actor, uploads)
        stored = _store_files(actor, locked, files, staged)
        append_event(
            RectificationEvent,
            locked,
            actor=actor,
            action="evidence",
            from_status=locked.status,
            to_status=locked.status,
            data={"files": [r.name for r in stored]},
        )
        record(
            actor,
            "observation.rectification.evidence",
            locked,
            after={"files": [r.name for r in stored]},
        )
    return stored


def close_rectification(
    actor: Actor,
    item: Rectification,
    *,
    note: str,
    files: Sequence[Any] = (),
    uploads: Sequence[Any] = (),
) -> Rectification:
    """The host closes the item with its evidence: a note (required) and files."""
    note = (note or "").strip()
    stored: list[RectificationFile] = []
    try:
        with transaction.atomic():
            locked = lock(item, Rectification.objects.select_related("visit__cycle", "host"))
            check_move(locked, "close", table=RECTIFICATION_TRANSITIONS, error=ObservationError)
            require(actor, actor is None or can_close(actor, locked))
            if not note:
                raise _error("note", _("Describe what was done (the evidence)."), "evidence")
            if len(note) > 5000:
                raise _error("note", _("At most 5000 characters."), "evidence")
            staged = core_actions.claim_uploads(actor, uploads)
            stored = _store_files(actor, locked, files, staged)
            now = timezone.now()
            locked.status = Rectification.Status.CLOSED
            locked.evidence_note = note
            locked.closed_at = now
            locked.save(update_fields=["status", "evidence_note", "closed_at"])
            data = {"files": [r.name for r in stored], "on_time": locked.closed_on_time}
            append_event(
                RectificationEvent,
                locked,
                actor=actor,
                action="close",
                from_status="open",
                to_status="closed",
                note=note,
                data=data,
                at=now,
            )
            record(
                actor,
                "observation.rectification.close",
                locked,
                before={"status": "open"},
                after={"status": "closed", **data},
                note=note,
            )
    except BaseException:
        for row in stored:
            row.file.delete(save=False)
        raise
    return locked


def reopen_rectification(actor: Actor, item: Rectification, *, reason: str) -> Rectification:
    reason = (reason or "").strip()

    def check(actor: Actor, locked: Rectification, move: Any) -> None:
        require(actor, actor is None or can_reopen(actor, locked))
        if not reason:
            raise _error("reason", _("Give the reason for reopening."), "reason")

    def effects(locked: Rectification, move: Any, now: Any) -> tuple[list[str], dict[str, Any]]:
        locked.closed_at = None
        return ["closed_at"], {}

    return transition(
        actor,
        item,
        "reopen",
        table=RECTIFICATION_TRANSITIONS,
        event_model=RectificationEvent,
        check=check,
        effects=effects,
        note=reason,
        error=ObservationError,
        audit_verb="observation.rectification.reopen",
        queryset=Rectification.objects.select_related("visit__cycle"),
    )


def escalate_overdue(now: datetime.datetime | None = None) -> list[Rectification]:
    """Escalate, once, every open item past its deadline to the organiser.

    Each item is claimed by a conditional `UPDATE … WHERE escalated_at IS NULL`: of two runs
    only one changes the row and only that one writes the event, the audit row and the
    notice. A reopened item that was escalated before is not escalated again."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    overdue = Q(status=Rectification.Status.OPEN, deadline__lt=today, escalated_at__isnull=True)
    done = []
    for pk in Rectification.objects.filter(overdue).values_list("pk", flat=True):
        with transaction.atomic():
            if not Rectification.objects.filter(overdue, pk=pk).update(escalated_at=now):
                continue
            item = Rectification.objects.select_related("visit__cycle__org", "host").get(pk=pk)
            append_event(
                RectificationEvent,
                item,
                actor=None,
                action="escalate",
                from_status=item.status,
                to_status=item.status,
                data={"deadline": item.deadline},
                at=now,
            )
            record(None, "observation.rectification.escalate", item, after={"escalated_at": now})
            cycle = item.visit.cycle
            users = officer_users([cycle.org_path], RUN_ROLES).get(cycle.org_path, [])
            notify(
                f"observation.rectification:{item.pk}:escalated",
                kind=RECTIFICATION_ESCALATED.key,
                title=lazy_format(
                    gettext_lazy("Rectification overdue: %(host)s, %(title)s"),
                    host=item.host.name,
                    title=item.title,
                ),
                text=lazy_format(
                    gettext_lazy("Deadline %(day)s passed without the item being closed."),
                    day=item.deadline.isoformat(),
                ),
                url=reverse("observation-rectification", args=[item.pk]),
                users=users,
                org=cycle.org,
                now=now,
            )
            done.append(item)
    return done


__all__ = [
    "SCORER_ROLES",
    "ObservationError",
    "add_evidence",
    "add_rectification",
    "close_cycle",
    "close_rectification",
    "close_visit",
    "create_cycle",
    "escalate_overdue",
    "finish_scoring",
    "hold_visit",
    "reopen_rectification",
    "reschedule_visit",
    "submit_sheet",
    "swap_slots",
]
