"""Writes of the branch's side of a rating round: the pre-filled self-assessment.

The rules:

- **Who**: the branch's own officers (`access.can_self_assess`); anyone else who sees the
  assessment is refused (403); who does not see it never gets here (404 in the views).
- **When**: only while the assessment is a draft or returned to the branch, in a round that
  is open and not frozen (`SelfAssessmentError`, code "illegal_state").
- **Optimistic concurrency**: every write takes the `version` the user saw; a different
  current version is refused with `StaleVersion` (code "stale", HTTP 409) and writes
  nothing; every write bumps it. File and evidence writes take it too (optional there: the
  API's upload may omit it).
- **Rows**: judged criteria only take the branch's points (0 … the criterion's points, at
  most two decimals) and note; a computed row's points are measured from records
  (`scoring.measure`) and cannot be self-scored (code "computed"); a row id of another
  assessment is refused (code "foreign_row"). A refusal names the criterion at its field
  (`rows.<id>.points`).
- **Evidence**: records linked through `juli.core.records` (consumer `rating.criterionscore`,
  purpose = the branch and the round's period, `records.purpose_of`), and files
  (`ScoreFile`, checked by `core.attachments.clean_attachment`).
- **Pre-linking** (`prelink`): once per assessment, each judged criterion gets the most
  recent `PRELINK_CAP` records the registry holds *of the branch itself* in the round's
  period (its organisation subtree, or its area's when the record is placed by area). Links
  made by the system (`added_by` empty) are shown as pre-linked; the branch unlinks what does
  not fit. The `prelink` event on the assessment marks it done, so an unlinked record is
  never linked again. `opened(round_)` pre-links every assessment of a new round and tells
  the branches' secretaries (`rating_opened`).
- **Submit**: re-measures the computed rows, refuses while a judged row has no points
  (naming them, code "incomplete"), stores `self_score = scoring.total(rows,
  reviewed=False).score`, moves draft/returned → submitted and tells the round's organisers
  (`rating_submitted`) after commit.

Every write runs in one transaction on the locked assessment row and is audited.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from juli.core import records
from juli.core.attachments import AttachmentRefused, clean_attachment
from juli.core.audit import record
from juli.core.models import EvidenceLink
from juli.core.types import Actor
from juli.core.workflow import append_event, check_move
from juli.core.writes import require, user_of
from juli.notify.actions import notify
from juli.notify.text import lazy_format
from juli.orgs.access import Scope
from juli.orgs.models import PartyOrg, Post, User
from juli.orgs.roles import Role

from .. import scoring
from ..access import RUN_ROLES, can_self_assess
from ..models import (
    TRANSITIONS,
    Assessment,
    AssessmentEvent,
    Criterion,
    CriterionScore,
    RatingRound,
    ScoreFile,
)
from ..notices import RATING_OPENED, RATING_SUBMITTED
from ..records import purpose_of
from .rounds import assessment_rows

#: States in which the branch writes its self-assessment.
EDITABLE = frozenset({Assessment.Status.DRAFT, Assessment.Status.RETURNED})
#: At most this many records pre-linked to one criterion (the most recent).
PRELINK_CAP = 5
#: At most this many files on one criterion.
MAX_FILES = 20
MAX_NOTE = 2000
MAX_SUMMARY = 5000
#: The secretaries told that a round opened.
SECRETARY_ROLES = frozenset({Role.PARTY_SECRETARY, Role.DEPUTY_SECRETARY})

ACTION_LABELS = {"submit": gettext_lazy("submit")}


class SelfAssessmentError(ValidationError):
    """A self-assessment write refused for a reason the user can fix; `code` is kept even
    with a {field: message} dict (Django drops it there)."""

    def __init__(self, message: Any, code: str | None = None, params: Any = None) -> None:
        super().__init__(message, code, params)
        self.code = code


class StaleVersion(SelfAssessmentError):
    """The assessment changed since the user loaded it (code "stale", HTTP 409)."""


# --- Shared checks ------------------------------------------------------------------------------


def _locked(assessment: Assessment) -> Assessment:
    """A fresh copy of the assessment's row, locked until the end of the transaction (only
    its own row: the branch's area is an outer join, which PostgreSQL will not lock)."""
    return (
        Assessment.objects.select_related("round", "round__standard", "org", "org__area")
        .select_for_update(of=("self",))
        .get(pk=assessment.pk)
    )


def check_version(assessment: Assessment, version: Any) -> None:
    """Refuse (`StaleVersion`) unless `version` is the assessment's current one."""
    try:
        seen = int(version)
    except (TypeError, ValueError):
        seen = -1
    if seen != assessment.version:
        raise StaleVersion(
            _(
                "This self-assessment was changed by someone else since you opened it. "
                "Reload the page to see the changes, then make yours again."
            ),
            code="stale",
        )


def is_editable(assessment: Assessment) -> bool:
    round_ = assessment.round
    return (
        assessment.status in EDITABLE
        and round_.status == RatingRound.Status.OPEN
        and not assessment.is_frozen
    )


def _check_editable(assessment: Assessment) -> None:
    if not is_editable(assessment):
        raise SelfAssessmentError(
            _("A self-assessment that is “%(status)s” cannot be changed by the branch.")
            % {"status": assessment.get_status_display()},
            code="illegal_state",
        )


def _begin(actor: Actor, assessment: Assessment, version: Any) -> Assessment:
    """Lock, check the right, the state and the version (in this order)."""
    locked = _locked(assessment)
    require(actor, can_self_assess(actor, locked))
    _check_editable(locked)
    if version is not None or actor is not None:
        check_version(locked, version)
    return locked


def _bump(assessment: Assessment) -> None:
    assessment.version += 1
    assessment.updated_at = timezone.now()
    assessment.save(update_fields=["version", "updated_at"])


def _row(assessment: Assessment, score: CriterionScore) -> CriterionScore:
    row = (
        CriterionScore.objects.select_related("criterion")
        .filter(pk=score.pk, assessment=assessment)
        .first()
    )
    if row is None:
        raise SelfAssessmentError(
            _("This criterion is not part of this self-assessment."), code="foreign_row"
        )
    return row


def _judged(row: CriterionScore, field: str) -> None:
    if row.criterion.method != Criterion.Method.JUDGED:
        raise SelfAssessmentError(
            {
                field: _("“%(criterion)s” is measured from records; it takes no self score.")
                % {"criterion": row.criterion.title}
            },
            code="computed",
        )


# --- Points and notes ---------------------------------------------------------------------------


def _points(row: CriterionScore, value: Any, field: str) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    maximum = Decimal(row.criterion.points)
    message = _("“%(criterion)s”: enter 0 to %(max)s points (at most two decimals).") % {
        "criterion": row.criterion.title,
        "max": scoring.q2(maximum).normalize(),
    }
    if isinstance(value, bool):
        raise SelfAssessmentError({field: message}, code="out_of_range")
    try:
        points = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise SelfAssessmentError({field: message}, code="invalid") from None
    if (
        not points.is_finite()
        or points < 0
        or points > maximum
        or points != points.quantize(scoring.CENT)
    ):
        raise SelfAssessmentError({field: message}, code="out_of_range")
    return scoring.q2(points)


def _row_id(key: Any) -> int:
    try:
        return int(key)
    except (TypeError, ValueError):
        raise SelfAssessmentError(
            {"rows": _("Unknown criterion row: %(id)s.") % {"id": key}}, code="foreign_row"
        ) from None


@transaction.atomic
def save_self(
    actor: Actor,
    assessment: Assessment,
    *,
    rows: Mapping[Any, Mapping[str, Any]] | None = None,
    summary: str | None = None,
    version: Any = None,
) -> Assessment:
    """Write the branch's points and notes of judged criteria and the summary. `rows` maps a
    row id to `{"points": …, "note": …}` (a key left out stays as it is; empty points clear
    them). Every row is checked before anything is written."""
    locked = _begin(actor, assessment, version)
    rows = rows or {}
    by_id = {r.pk: r for r in assessment_rows(locked)}
    changes: list[tuple[CriterionScore, dict[str, Any]]] = []
    for key, values in rows.items():
        row_id = _row_id(key)
        row = by_id.get(row_id)
        if row is None:
            raise SelfAssessmentError(
                {"rows": _("Unknown criterion row: %(id)s.") % {"id": key}}, code="foreign_row"
            )
        if not isinstance(values, Mapping):
            raise SelfAssessmentError({f"rows.{row_id}": _("Invalid row.")}, code="invalid")
        unknown = set(values) - {"points", "note"}
        if unknown:
            raise SelfAssessmentError(
                {f"rows.{row_id}": _("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))}},
                code="invalid",
            )
        change: dict[str, Any] = {}
        if "points" in values:
            _judged(row, f"rows.{row_id}.points")
            change["self_points"] = _points(row, values["points"], f"rows.{row_id}.points")
        if "note" in values:
            note = values["note"]
            if note is not None and not isinstance(note, str):
                raise SelfAssessmentError({f"rows.{row_id}.note": _("Invalid note.")}, "invalid")
            note = (note or "").strip()
            if len(note) > MAX_NOTE:
                raise SelfAssessmentError(
                    {
                        f"rows.{row_id}.note": _("At most %(n)s characters.") % {"n": MAX_NOTE},
                    },
                    code="too_long",
                )
            change["self_note"] = note
        changes.append((row, change))
    if summary is not None:
        if not isinstance(summary, str):
            raise SelfAssessmentError({"summary": _("Invalid summary.")}, code="invalid")
        summary = summary.strip()
        if len(summary) > MAX_SUMMARY:
            raise SelfAssessmentError(
                {"summary": _("At most %(n)s characters.") % {"n": MAX_SUMMARY}}, code="too_long"
            )
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for row, change in changes:
        old = {name: getattr(row, name) for name in change}
        if old == change:
            continue
        for name, value in change.items():
            setattr(row, name, value)
        row.save(update_fields=list(change))
        before[str(row.pk)] = {k: _plain(v) for k, v in old.items()}
        after[str(row.pk)] = {k: _plain(v) for k, v in change.items()}
    fields = ["version", "updated_at"]
    if summary is not None and summary != locked.self_summary:
        before["summary"], after["summary"] = locked.self_summary, summary
        locked.self_summary = summary
        fields.append("self_summary")
    locked.version += 1
    locked.updated_at = timezone.now()
    locked.save(update_fields=fields)
    record(actor, "rating.assessment.save_self", locked, before=before, after=after)
    return locked


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


# --- Files --------------------------------------------------------------------------------------


@transaction.atomic
def add_file(actor: Actor, score: CriterionScore, upload: Any, *, version: Any = None) -> ScoreFile:
    """Attach a file to a judged criterion (a photo, a PDF, an Office file; 20 MB)."""
    locked = _begin_optional(actor, score.assessment, version)
    row = _row(locked, score)
    _judged(row, "file")
    if upload is None:
        raise SelfAssessmentError({"file": _("Choose a file to attach.")}, code="required")
    if row.files.count() >= MAX_FILES:
        raise SelfAssessmentError(
            {"file": _("At most %(n)s files per criterion.") % {"n": MAX_FILES}}, code="too_many"
        )
    try:
        content, name, _content_type = clean_attachment(upload)
    except AttachmentRefused as exc:
        raise SelfAssessmentError({"file": exc.text}, code=exc.code) from None
    except ValidationError as exc:  # a refused photo (`uploads.clean_image`)
        raise SelfAssessmentError(
            {"file": " ".join(exc.messages)}, code=exc.code or "invalid"
        ) from None
    item = ScoreFile(score=row, name=name[:200], size=content.size, added_by=user_of(actor))
    item.file.save(name, content, save=False)
    item.save()
    _bump(locked)
    record(actor, "rating.score.add_file", item, after={"name": item.name, "size": item.size})
    return item


@transaction.atomic
def remove_file(actor: Actor, item: ScoreFile, *, version: Any = None) -> None:
    assessment = item.score.assessment
    locked = _begin_optional(actor, assessment, version)
    if not ScoreFile.objects.filter(pk=item.pk, score__assessment=locked).exists():
        raise SelfAssessmentError(
            _("This file is not part of this self-assessment."), "foreign_row"
        )
    record(actor, "rating.score.remove_file", item, before={"name": item.name, "size": item.size})
    item.file.delete(save=False)
    item.delete()
    _bump(locked)


def _begin_optional(actor: Actor, assessment: Assessment, version: Any) -> Assessment:
    """As `_begin`, the version checked only when given."""
    locked = _locked(assessment)
    require(actor, can_self_assess(actor, locked))
    _check_editable(locked)
    if version is not None:
        check_version(locked, version)
    return locked


# --- Evidence links -----------------------------------------------------------------------------


@transaction.atomic
def link_record(
    actor: Actor, score: CriterionScore, record_obj: Model, *, version: Any = None
) -> EvidenceLink:
    """Link one record the actor may link for the branch and period (else 404 / 400)."""
    locked = _begin_optional(actor, score.assessment, version)
    row = _row(locked, score)
    _judged(row, "record")
    link = records.link(actor, row, record_obj, purpose_of(locked))
    _bump(locked)
    return link


@transaction.atomic
def unlink_record(
    actor: Actor, score: CriterionScore, link_id: Any, *, version: Any = None
) -> None:
    """Remove a link of this row (a pre-linked one included)."""
    locked = _begin_optional(actor, score.assessment, version)
    row = _row(locked, score)
    try:
        pk = int(link_id)
    except (TypeError, ValueError):
        pk = 0
    found = next((ln.link for ln in records.links_of(row) if ln.link.pk == pk), None)
    if found is None:
        raise SelfAssessmentError(
            _("This record is not linked to this criterion."), code="foreign_row"
        )
    records.unlink(actor, found)
    _bump(locked)


# --- Pre-linking --------------------------------------------------------------------------------


class _SystemViewer:
    """Who reads the registry when the system pre-links: sees every record; the purpose and
    `_of_branch` narrow them to the branch."""

    is_authenticated = True
    is_active = True
    is_superuser = True
    is_anonymous = False
    pk = None
    id = None
    person_id = None

    def __init__(self) -> None:
        self._juli_scope = Scope(superuser=True)


def _of_branch(qs: Any, org: PartyOrg) -> Any:
    """The records of the branch itself: placed in its organisation subtree, or (records
    placed by area) in its area's subtree. None when the kind says neither."""
    names = {f.name for f in qs.model._meta.concrete_fields}
    if "org_path" in names:
        return qs.filter(org_path__startswith=org.path)
    area = org.area if org.area_id else None
    if "area_path" in names and area is not None:
        return qs.filter(area_path__startswith=area.path)
    return None


def prelink_candidates(assessment: Assessment) -> list[Model]:
    """The most recent `PRELINK_CAP` records of the branch in the round's period."""
    purpose = purpose_of(assessment)
    found: list[tuple[datetime.date, int, Model]] = []
    for kind, qs in records.candidates(_SystemViewer(), purpose):
        mine = _of_branch(qs, assessment.org)
        if mine is None:
            continue
        for obj in mine.order_by("-pk")[: PRELINK_CAP * 4]:
            day = kind.date(obj)
            if day is None:
                continue
            found.append((day, obj.pk, obj))
    found.sort(key=lambda t: (t[0], t[1]), reverse=True)
    return [obj for _day, _pk, obj in found[:PRELINK_CAP]]


@transaction.atomic
def prelink(assessment: Assessment) -> int:
    """Pre-link the branch's records to each judged criterion, once per assessment (a
    `prelink` event marks it; calling again does nothing). Only while the branch may still
    edit. Returns the number of links made."""
    locked = _locked(assessment)
    if not is_editable(locked) or locked.events.filter(action="prelink").exists():
        return 0
    found = prelink_candidates(locked)
    purpose = purpose_of(locked)
    made = 0
    if found:
        for row in locked.scores.filter(criterion__method=Criterion.Method.JUDGED):
            for obj in found:
                records.link(None, row, obj, purpose)
                made += 1
    append_event(
        AssessmentEvent,
        locked,
        actor=None,
        action="prelink",
        from_status=locked.status,
        to_status=locked.status,
        data={"records": len(found), "links": made},
    )
    if made:
        _bump(locked)
    return made


def _officers(org: PartyOrg, roles: Iterable[str]) -> list[User]:
    today = timezone.localdate()
    people = Post.objects.filter(org=org, role__in=list(roles), started_on__lte=today).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=today)
    )
    return list(
        User.objects.filter(is_active=True, person_id__in=people.values("person_id")).order_by("pk")
    )


def branch_secretaries(assessment: Assessment) -> list[User]:
    return _officers(assessment.org, SECRETARY_ROLES)


def organisers(round_: RatingRound) -> list[User]:
    return _officers(round_.org, RUN_ROLES)


def opened(round_: RatingRound) -> int:
    """After `open_round`: pre-link every assessment and tell each branch's secretaries
    (`rating_opened`, once per assessment). Returns the number of links made."""
    made = 0
    assessments = round_.assessments.select_related("org", "org__area", "round")
    for assessment in assessments:
        made += prelink(assessment)
        users = branch_secretaries(assessment)
        if users:
            transaction.on_commit(partial(_tell_opened, assessment, users))
    return made


def _tell_opened(assessment: Assessment, users: list[User]) -> None:
    round_ = assessment.round
    notify(
        f"rating.assessment:{assessment.pk}:opened",
        kind=RATING_OPENED.key,
        title=lazy_format(gettext_lazy("Self-assessment to fill: %(round)s"), round=round_.title),
        text=lazy_format(
            gettext_lazy("%(branch)s · due %(due)s"),
            branch=assessment.org.name,
            due=round_.self_due.isoformat(),
        ),
        url=reverse("rating-assessment", args=[assessment.pk]),
        users=users,
        org=assessment.org,
    )


# --- Submit -------------------------------------------------------------------------------------


@transaction.atomic
def submit(actor: Actor, assessment: Assessment, *, version: Any = None) -> Assessment:
    """Submit the self-assessment for review (see the module doc)."""
    locked = _locked(assessment)
    require(actor, can_self_assess(actor, locked))
    check_move(
        locked,
        "submit",
        table=TRANSITIONS,
        error=SelfAssessmentError,
        action_labels=ACTION_LABELS,
    )
    _check_editable(locked)
    if version is not None or actor is not None:
        check_version(locked, version)
    scoring.measure(locked.round, [locked])
    rows = assessment_rows(locked)
    missing = [
        r.criterion.title
        for r in rows
        if r.applicable and r.criterion.method == Criterion.Method.JUDGED and r.self_points is None
    ]
    if missing:
        raise SelfAssessmentError(
            _("Score every judged criterion before submitting: %(list)s.")
            % {"list": "、".join(missing)},
            code="incomplete",
        )
    total = scoring.total(rows, reviewed=False)
    now = timezone.now()
    before = locked.status
    locked.status = Assessment.Status.SUBMITTED
    locked.self_score = total.score
    locked.submitted_at = now
    locked.submitted_by = user_of(actor)
    locked.version += 1
    locked.updated_at = now
    locked.save(
        update_fields=[
            "status",
            "self_score",
            "submitted_at",
            "submitted_by",
            "version",
            "updated_at",
        ]
    )
    append_event(
        AssessmentEvent,
        locked,
        actor=actor,
        action="submit",
        from_status=before,
        to_status=locked.status,
        data={"self_score": str(total.score) if total.score is not None else None},
        at=now,
    )
    record(
        actor,
        "rating.assessment.submit",
        locked,
        before={"status": before},
        after={"status": locked.status, "self_score": _plain(total.score)},
    )
    users = organisers(locked.round)
    if users:
        transaction.on_commit(lambda: _tell_submitted(locked, users))
    return locked


def _tell_submitted(assessment: Assessment, users: list[User]) -> None:
    notify(
        f"rating.assessment:{assessment.pk}:submitted:v{assessment.version}",
        kind=RATING_SUBMITTED.key,
        title=lazy_format(
            gettext_lazy("Self-assessment submitted: %(branch)s"), branch=assessment.org.name
        ),
        text=lazy_format(
            gettext_lazy("%(round)s · self score %(score)s"),
            round=assessment.round.title,
            score=str(assessment.self_score) if assessment.self_score is not None else "—",
        ),
        url=reverse("rating-assessment", args=[assessment.pk]),
        users=users,
        org=assessment.round.org,
    )


# --- Read helpers the pages and the API share ---------------------------------------------------


def linkable(user: Any, assessment: Assessment, limit: int = 20) -> list[tuple[Any, list[Any]]]:
    """(record kind, records) the user may link to the assessment's judged rows (a few per
    kind, most recent first)."""
    out = []
    for kind, qs in records.candidates(user, purpose_of(assessment)):
        rows = list(qs.order_by("-pk")[:limit])
        if rows:
            out.append((kind, rows))
    return out


def find_record(user: Any, assessment: Assessment, kind_key: str, record_id: Any) -> Model:
    """The record of `kind_key` and `record_id` among the user's candidates, else 404."""
    kind = records.kinds().get(str(kind_key))
    try:
        pk = int(record_id)
    except (TypeError, ValueError):
        raise Http404 from None
    if kind is None:
        raise Http404
    found = kind.candidates(user, purpose_of(assessment)).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found  # type: ignore[no-any-return]
