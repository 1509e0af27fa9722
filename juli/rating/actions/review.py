"""Writes of the organiser's side of a rating round: review, public notice (公示),
objections, publication and star changes during the year.

Rules (each refusal writes nothing):

- `review` — a reviewer (`access.can_review`: a run role over the branch and no tie to it,
  else 403) reviews a SUBMITTED or REVIEWED assessment. Sent with the `version` the reviewer
  read: the row is locked (`select_for_update`) and an older version is refused with code
  `stale` (HTTP 409), so of two reviewers saving at once one wins and the other is told to
  reload; nothing is lost. `rows` = {score id: {"points", "reason"}}: adjusted points in
  [0, criterion points]; a reason is required when they differ from the branch's or the
  measured points; empty points (or the same points) drop the adjustment. A row of another
  assessment, a veto item of another standard: refused (`foreign_row`, `foreign_veto`).
  `vetoes` (a list of {veto_id, reason}) replaces the findings; None keeps them. Every
  applicable criterion must have points after the review (`incomplete`). Computed rows are
  measured first; the score, stars (capped by the vetoes) are stored; `version` + 1.
- `return_to_branch` — the reviewer sends a SUBMITTED/REVIEWED assessment back with a reason.
- `start_publicity` — the round's runners, once every assessment is reviewed (the message
  names those that are not): computed rows measured and scores refreshed, ranks stored, every
  assessment → PUBLICITY; the notice runs `publicity_days` working days (the working calendar
  of `juli.cases.worktime`, holidays and adjusted working days included) counted from the
  start day itself when it is a working day: `publicity_ends` is the last of them.
- `raise_objection` — anyone inside the round's subtree (`access.can_object`), only while the
  notice runs (`publicity_starts` ≤ today ≤ `publicity_ends`); the same open text twice by
  the same person is a duplicate.
- `answer_objection` — the runners: upheld or dismissed, with an answer; once.
- `reopen` — the runners, while on notice, when an objection raised during this notice was
  upheld: the round → OPEN, its assessments → REVIEWED (to review again), ranks cleared.
- `publish` — the runners, once the notice has ended (today > `publicity_ends`) and no
  objection is open: computed rows measured one last time, scores, stars and ranks set,
  every assessment frozen (`frozen_at`: computed rows never change after), the round
  published.
- `change_stars` — a reviewer lowers (never raises) the stars in force of a PUBLISHED
  assessment, with a reason, the decision document and its date (not in the future),
  optionally naming the veto item (of the round's standard): a `StarChange`, an event, an
  audit row and a notice. Never silent.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from juli.cases.worktime import Calendar
from juli.core.audit import record
from juli.core.types import Actor
from juli.core.workflow import append_event, check_move, lock
from juli.core.writes import require
from juli.core.writes import user_of as _user
from juli.notify.actions import notify
from juli.notify.text import lazy_format
from juli.orgs.models import User
from juli.orgs.queries import current_post_q

from .. import scoring
from ..access import RUN_ROLES, SELF_ROLES, can_object, can_review, can_run_round
from ..models import (
    ROUND_TRANSITIONS,
    TRANSITIONS,
    Assessment,
    AssessmentEvent,
    CriterionScore,
    Objection,
    RatingRound,
    RoundEvent,
    StarChange,
    VetoFinding,
    VetoItem,
)
from ..notices import (
    RATING_OBJECTION,
    RATING_PUBLICITY,
    RATING_PUBLISHED,
    RATING_RETURNED,
    RATING_REVIEWED,
    RATING_STARS_CHANGED,
)
from .rounds import assessment_rows

#: An objection or an answer: a paragraph, not a file.
MAX_TEXT = 2000
REASON_MAX = 500
#: A refusal names at most this many branches (then "and n more").
NAMED = 8


class ReviewError(ValidationError):
    """A refused review-side step. `code`: stale, illegal_state, foreign_row, foreign_veto,
    out_of_range, reason_required, incomplete, not_reviewed, notice_running, not_on_notice,
    open_objections, no_upheld_objection, answered, duplicate, not_lower, not_published.
    The code is kept with a {field: message} dict too (Django keeps it per message only)."""

    def __init__(self, message: Any, code: str | None = None, params: Any = None) -> None:
        super().__init__(message, code, params)
        self.code = code


#: Codes the API answers with 409 (the state moved on, not the input).
CONFLICT_CODES = frozenset(
    {"stale", "illegal_state", "not_reviewed", "notice_running", "open_objections", "answered"}
)

ACTION_LABELS = {
    "review": gettext_lazy("review"),
    "return": gettext_lazy("return to the branch"),
    "start_publicity": gettext_lazy("start the public notice"),
    "reopen": gettext_lazy("reopen for review"),
    "publish": gettext_lazy("publish"),
}


# --- who is told -----------------------------------------------------------------------------


def _users_with_posts(q: Q) -> list[User]:
    return list(
        User.objects.filter(is_active=True, person__posts__in=_posts(q)).distinct().order_by("pk")
    )


def _posts(q: Q) -> Any:
    from juli.orgs.models import Post

    return Post.objects.filter(q & current_post_q())


def branch_officers(org_ids: Iterable[int]) -> list[User]:
    """The accounts of the branches' own officers (who fill the self-assessment)."""
    return _users_with_posts(Q(org_id__in=list(org_ids), role__in=SELF_ROLES))


def round_runners(round_: RatingRound) -> list[User]:
    """The accounts with a run role in the round's organisation itself."""
    return _users_with_posts(Q(org_id=round_.org_id, role__in=RUN_ROLES))


def _assessment_url(assessment: Assessment) -> str:
    """The branch's page of its assessment (the self-assessment part's), else the review."""
    try:
        return reverse("rating-assessment", args=[assessment.pk])
    except NoReverseMatch:
        return reverse("rating-review", args=[assessment.pk])


def _round_url(round_: RatingRound) -> str:
    return reverse("rating-round", args=[round_.pk])


# --- small checks ---------------------------------------------------------------------------


def _text(value: Any, field: str, *, limit: int, message: str) -> str:
    text = str(value or "").strip()
    if not text:
        raise ReviewError({field: message}, code="reason_required")
    if len(text) > limit:
        raise ReviewError(
            {field: _("At most %(n)s characters.") % {"n": limit}}, code="out_of_range"
        )
    return text


def _decimal(value: Any, field: str) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ReviewError({field: _("Enter a number.")}, code="invalid") from None
    if not number.is_finite():
        raise ReviewError({field: _("Enter a number.")}, code="invalid")
    return number


def _check_version(locked: Assessment, version: Any) -> None:
    try:
        sent = int(version)
    except (TypeError, ValueError):
        sent = -1
    if sent != locked.version:
        raise ReviewError(
            _(
                "Someone else changed this assessment since you opened it (version %(now)s, "
                "yours %(sent)s). Reload the page: your changes were not saved."
            )
            % {"now": locked.version, "sent": version if version not in (None, "") else "-"},
            code="stale",
        )


def _names(assessments: Sequence[Assessment]) -> str:
    names = "、".join(a.org.name for a in assessments[:NAMED])
    if len(assessments) > NAMED:
        rest = len(assessments) - NAMED
        names += ngettext(" and %(n)s more", " and %(n)s more", rest) % {"n": rest}
    return names


def _caps(assessment: Assessment) -> list[int]:
    return list(assessment.vetoes.values_list("veto__cap_stars", flat=True))


def rescore(assessment: Assessment, rows: Sequence[CriterionScore] | None = None) -> None:
    """Set `score` and `stars` of the assessment from its rows and veto findings (not saved)."""
    rows = assessment_rows(assessment) if rows is None else rows
    score = scoring.total(rows).score
    assessment.score = score
    assessment.stars = scoring.stars_for(assessment.round.standard, score, _caps(assessment))


def _lock_assessment(assessment: Assessment) -> Assessment:
    return lock(
        assessment,
        Assessment.objects.select_related("round", "round__standard", "org"),
    )


def _event(
    assessment: Assessment,
    actor: Actor,
    action: str,
    before: str,
    *,
    note: str = "",
    data: Mapping[str, Any] | None = None,
    at: datetime.datetime | None = None,
) -> None:
    append_event(
        AssessmentEvent,
        assessment,
        actor=actor,
        action=action,
        from_status=before,
        to_status=assessment.status,
        note=note,
        data=data,
        at=at,
    )


# --- review ----------------------------------------------------------------------------------


@transaction.atomic
def review(
    actor: Actor,
    assessment: Assessment,
    *,
    rows: Mapping[Any, Mapping[str, Any]] | None = None,
    vetoes: Sequence[Mapping[str, Any]] | None = None,
    note: str = "",
    version: Any,
) -> Assessment:
    """Review (or review again) a submitted assessment; see the module doc."""
    require(actor, can_review(actor, assessment))
    locked = _lock_assessment(assessment)
    check_move(locked, "review", table=TRANSITIONS, error=ReviewError, action_labels=ACTION_LABELS)
    _check_version(locked, version)
    round_ = locked.round
    scoring.measure(round_, [locked])
    current = assessment_rows(locked)
    by_pk = {r.pk: r for r in current}
    changes: list[CriterionScore] = []
    for key, values in (rows or {}).items():
        try:
            row = by_pk[int(key)]
        except (KeyError, TypeError, ValueError):
            raise ReviewError(
                {"rows": _("A criterion of another assessment or standard: %(id)s.") % {"id": key}},
                code="foreign_row",
            ) from None
        field = f"rows.{row.pk}"
        points = _decimal(values.get("points"), f"{field}.points")
        reason = str(values.get("reason") or "").strip()
        limit = Decimal(row.criterion.points)
        if points is not None and not Decimal(0) <= points <= limit:
            raise ReviewError(
                {
                    f"{field}.points": _("Enter 0 to %(max)s points for “%(c)s”.")
                    % {"max": scoring.q2(limit), "c": row.criterion.title}
                },
                code="out_of_range",
            )
        if points is not None and points != points.quantize(scoring.CENT):
            raise ReviewError(
                {f"{field}.points": _("At most two decimal places.")}, code="out_of_range"
            )
        base = row.self_points
        if points is not None and (base is None or points != base) and not row.applicable:
            raise ReviewError(
                {
                    f"{field}.points": _(
                        "This criterion has no data for the branch: it does not count."
                    )
                },
                code="not_applicable",
            )
        if points is not None and base is not None and points == base:
            points = None  # the same points: no adjustment
        if points is not None and base is not None and not reason:
            raise ReviewError(
                {
                    f"{field}.reason": _("Give the reason for changing “%(c)s”.")
                    % {"c": row.criterion.title}
                },
                code="reason_required",
            )
        if len(reason) > REASON_MAX:
            raise ReviewError(
                {f"{field}.reason": _("At most %(n)s characters.") % {"n": REASON_MAX}},
                code="out_of_range",
            )
        row.review_points = points
        row.review_reason = reason if points is not None else ""
        changes.append(row)
    findings: list[tuple[VetoItem, str]] | None = None
    if vetoes is not None:
        items = {v.pk: v for v in round_.standard.vetoes.all()}
        findings = []
        seen: set[int] = set()
        for n, item in enumerate(vetoes):
            try:
                veto = items[int(item.get("veto_id"))]  # type: ignore[arg-type]
            except (KeyError, TypeError, ValueError):
                raise ReviewError(
                    {
                        "vetoes": _("A veto item of another standard: %(id)s.")
                        % {"id": item.get("veto_id")}
                    },
                    code="foreign_veto",
                ) from None
            if veto.pk in seen:
                raise ReviewError(
                    {"vetoes": _("“%(v)s” is given twice.") % {"v": veto.title}}, code="duplicate"
                )
            seen.add(veto.pk)
            reason = _text(
                item.get("reason"),
                f"vetoes.{n}.reason",
                limit=REASON_MAX,
                message=_("Give the reason for the veto “%(v)s”.") % {"v": veto.title},
            )
            findings.append((veto, reason))
    missing = [r.criterion.title for r in current if r.applicable and r.final_points is None]
    if missing:
        raise ReviewError(
            {"rows": _("Give points for: %(c)s.") % {"c": "、".join(missing[:NAMED])}},
            code="incomplete",
        )
    note = str(note or "").strip()
    if len(note) > MAX_TEXT:
        raise ReviewError(
            {"note": _("At most %(n)s characters.") % {"n": MAX_TEXT}}, code="out_of_range"
        )
    # Every check passed: write.
    before = {"status": locked.status, "score": locked.score, "stars": locked.stars}
    if changes:
        CriterionScore.objects.bulk_update(changes, ["review_points", "review_reason"])
    if findings is not None:
        kept = {veto.pk for veto, _reason in findings}
        locked.vetoes.exclude(veto_id__in=kept).delete()
        for veto, reason in findings:
            VetoFinding.objects.update_or_create(
                assessment=locked,
                veto=veto,
                defaults={"reason": reason, "found_by": _user(actor)},
            )
    rescore(locked, current)
    now = timezone.now()
    from_status = locked.status
    locked.status = Assessment.Status.REVIEWED
    locked.review_note = note
    locked.reviewed_at = now
    locked.reviewed_by = _user(actor)
    locked.version += 1
    locked.updated_at = now
    locked.save(
        update_fields=[
            "status",
            "score",
            "stars",
            "review_note",
            "reviewed_at",
            "reviewed_by",
            "version",
            "updated_at",
        ]
    )
    data = {
        "score": str(locked.score),
        "stars": locked.stars,
        "version": locked.version,
        "adjusted": sorted(r.criterion_id for r in changes if r.review_points is not None),
        "vetoes": sorted(v.pk for v, _r in findings) if findings is not None else None,
    }
    _event(locked, actor, "review", from_status, note=note, data=data, at=now)
    record(
        actor,
        "rating.assessment.review",
        locked,
        before={k: str(v) if v is not None else None for k, v in before.items()},
        after={"status": locked.status, **data},
        note=note,
    )
    users = branch_officers([locked.org_id])
    if users:
        notify(
            f"rating.assessment:{locked.pk}:reviewed:v{locked.version}",
            kind=RATING_REVIEWED.key,
            title=lazy_format(
                gettext_lazy("Self-assessment reviewed: %(org)s, %(score)s points"),
                org=locked.org.name,
                score=str(locked.score),
            ),
            text=lazy_format(gettext_lazy("%(round)s"), round=round_.title),
            url=_assessment_url(locked),
            users=users,
            org=locked.org,
        )
    return locked


@transaction.atomic
def return_to_branch(
    actor: Actor, assessment: Assessment, *, reason: str, version: Any = None
) -> Assessment:
    """Send a submitted (or reviewed) assessment back to the branch with a reason."""
    require(actor, can_review(actor, assessment))
    locked = _lock_assessment(assessment)
    check_move(locked, "return", table=TRANSITIONS, error=ReviewError, action_labels=ACTION_LABELS)
    if version is not None:
        _check_version(locked, version)
    reason = _text(
        reason, "reason", limit=REASON_MAX, message=_("Say why it goes back to the branch.")
    )
    from_status = locked.status
    locked.status = Assessment.Status.RETURNED
    locked.version += 1
    locked.updated_at = timezone.now()
    locked.save(update_fields=["status", "version", "updated_at"])
    _event(locked, actor, "return", from_status, note=reason, data={"version": locked.version})
    record(
        actor,
        "rating.assessment.return",
        locked,
        before={"status": from_status},
        after={"status": locked.status, "version": locked.version},
        note=reason,
    )
    users = branch_officers([locked.org_id])
    if users:
        notify(
            f"rating.assessment:{locked.pk}:returned:v{locked.version}",
            kind=RATING_RETURNED.key,
            title=lazy_format(
                gettext_lazy("Self-assessment returned: %(org)s"), org=locked.org.name
            ),
            text=reason,
            url=_assessment_url(locked),
            users=users,
            org=locked.org,
        )
    return locked


# --- the round -------------------------------------------------------------------------------


def notice_end(starts_on: datetime.date, days: int) -> datetime.date:
    """The last day of a notice of `days` working days that starts on `starts_on` (counted
    from that day when it is a working day, else from the next working day)."""
    calendar = Calendar()
    day, counted = starts_on, 0
    for _step in range(3 * 366):
        if calendar.is_workday(day):
            counted += 1
            if counted >= days:
                return day
        day += datetime.timedelta(days=1)
    raise ReviewError(_("The working calendar has no working day ahead."), code="calendar")


def _lock_round(round_: RatingRound) -> RatingRound:
    return lock(round_, RatingRound.objects.select_related("standard", "org"))


def _round_assessments(round_: RatingRound) -> list[Assessment]:
    return list(
        round_.assessments.select_for_update(of=("self",))
        .select_related("org", "round", "round__standard")
        .order_by("org_path")
    )


def _round_event(round_: RatingRound, actor: Actor, action: str, before: str, **kw: Any) -> None:
    append_event(
        RoundEvent,
        round_,
        actor=actor,
        action=action,
        from_status=before,
        to_status=round_.status,
        **kw,
    )


def _move_all(
    assessments: Sequence[Assessment], actor: Actor, action: str, now: datetime.datetime
) -> None:
    """Move every assessment by `action` (events written one by one, the rows in bulk)."""
    move = TRANSITIONS[action]
    for a in assessments:
        before = a.status
        a.status = move.target
        a.version += 1
        a.updated_at = now
        _event(
            a,
            actor,
            action,
            before,
            data={"score": str(a.score), "stars": a.stars, "rank": a.rank},
            at=now,
        )


def _rank(assessments: Sequence[Assessment]) -> None:
    rank_of = scoring.ranks([(a.pk, a.score) for a in assessments])
    for a in assessments:
        a.rank = rank_of.get(a.pk)


@transaction.atomic
def start_publicity(
    actor: Actor, round_: RatingRound, *, starts_on: datetime.date | None = None
) -> RatingRound:
    """Put the reviewed stars on public notice; see the module doc."""
    require(actor, can_run_round(actor, round_))
    locked = _lock_round(round_)
    check_move(
        locked,
        "start_publicity",
        table=ROUND_TRANSITIONS,
        error=ReviewError,
        action_labels=ACTION_LABELS,
    )
    starts_on = starts_on or timezone.localdate()
    assessments = _round_assessments(locked)
    waiting = [a for a in assessments if a.status != Assessment.Status.REVIEWED]
    if waiting:
        raise ReviewError(
            ngettext(
                "%(n)s branch is not reviewed yet: %(names)s.",
                "%(n)s branches are not reviewed yet: %(names)s.",
                len(waiting),
            )
            % {"n": len(waiting), "names": _names(waiting)},
            code="not_reviewed",
        )
    ends = notice_end(starts_on, locked.publicity_days)
    scoring.measure(locked, assessments)
    for a in assessments:
        rescore(a)
    _rank(assessments)
    now = timezone.now()
    _move_all(assessments, actor, "start_publicity", now)
    Assessment.objects.bulk_update(
        assessments, ["status", "score", "stars", "rank", "version", "updated_at"]
    )
    before = locked.status
    locked.status = RatingRound.Status.PUBLICITY
    locked.publicity_starts, locked.publicity_ends = starts_on, ends
    locked.save(update_fields=["status", "publicity_starts", "publicity_ends"])
    data = {"publicity_starts": starts_on.isoformat(), "publicity_ends": ends.isoformat()}
    _round_event(locked, actor, "start_publicity", before, data=data, at=now)
    record(
        actor,
        "rating.round.start_publicity",
        locked,
        before={"status": before},
        after={"status": locked.status, **data},
    )
    users = branch_officers(a.org_id for a in assessments)
    if users:
        notify(
            f"rating.round:{locked.pk}:publicity:{starts_on.isoformat()}",
            kind=RATING_PUBLICITY.key,
            title=lazy_format(
                gettext_lazy("On public notice until %(ends)s: %(round)s"),
                ends=ends.isoformat(),
                round=locked.title,
            ),
            text=gettext_lazy("Objections can be raised on the notice page until it ends."),
            url=reverse("rating-publicity", args=[locked.pk]),
            users=users,
            org=locked.org,
        )
    return locked


@transaction.atomic
def reopen(actor: Actor, round_: RatingRound, *, reason: str) -> RatingRound:
    """Back to review after an upheld objection; see the module doc."""
    require(actor, can_run_round(actor, round_))
    locked = _lock_round(round_)
    check_move(
        locked, "reopen", table=ROUND_TRANSITIONS, error=ReviewError, action_labels=ACTION_LABELS
    )
    reason = _text(reason, "reason", limit=REASON_MAX, message=_("Say why the round reopens."))
    started = (
        RoundEvent.objects.filter(round=locked, action="start_publicity")
        .order_by("-at", "-pk")
        .values_list("at", flat=True)
        .first()
    )
    upheld = Objection.objects.filter(assessment__round=locked, status=Objection.Status.UPHELD)
    if started is not None:
        upheld = upheld.filter(raised_at__gte=started)
    if not upheld.exists():
        raise ReviewError(
            _("Only an upheld objection reopens a round on public notice."),
            code="no_upheld_objection",
        )
    assessments = _round_assessments(locked)
    now = timezone.now()
    _move_all(assessments, actor, "reopen", now)
    for a in assessments:
        a.rank = None
    Assessment.objects.bulk_update(assessments, ["status", "rank", "version", "updated_at"])
    before = locked.status
    locked.status = RatingRound.Status.OPEN
    locked.publicity_starts = locked.publicity_ends = None
    locked.save(update_fields=["status", "publicity_starts", "publicity_ends"])
    _round_event(locked, actor, "reopen", before, note=reason, at=now)
    record(
        actor,
        "rating.round.reopen",
        locked,
        before={"status": before},
        after={"status": locked.status},
        note=reason,
    )
    return locked


def publish_refusal(round_: RatingRound, today: datetime.date | None = None) -> str:
    """Why the round cannot be published today ("" when it can), for pages and the action."""
    refusal = _publish_refusal(round_, today)
    return refusal[1] if refusal else ""


def _publish_refusal(
    round_: RatingRound, today: datetime.date | None = None
) -> tuple[str, str] | None:
    today = today or timezone.localdate()
    if round_.status != RatingRound.Status.PUBLICITY:
        return "illegal_state", _("Only a round on public notice can be published.")
    if round_.publicity_ends is None or today <= round_.publicity_ends:
        return "notice_running", _(
            "The public notice runs until %(ends)s: publish after it ends."
        ) % {"ends": round_.publicity_ends}
    open_ = Objection.objects.filter(assessment__round=round_, status=Objection.Status.OPEN).count()
    if open_:
        return "open_objections", ngettext(
            "%(n)s objection is not answered yet.",
            "%(n)s objections are not answered yet.",
            open_,
        ) % {"n": open_}
    return None


def publicity_refusal(round_: RatingRound) -> str:
    """Why the notice cannot start ("" when it can)."""
    if round_.status != RatingRound.Status.OPEN:
        return _("The round is not open for review.")
    waiting = list(
        round_.assessments.exclude(status=Assessment.Status.REVIEWED)
        .select_related("org")
        .order_by("org_path")
    )
    if waiting:
        return ngettext(
            "%(n)s branch is not reviewed yet: %(names)s.",
            "%(n)s branches are not reviewed yet: %(names)s.",
            len(waiting),
        ) % {"n": len(waiting), "names": _names(waiting)}
    return ""


@transaction.atomic
def publish(
    actor: Actor, round_: RatingRound, *, today: datetime.date | None = None
) -> RatingRound:
    """Publish and freeze the round; see the module doc."""
    require(actor, can_run_round(actor, round_))
    locked = _lock_round(round_)
    check_move(
        locked, "publish", table=ROUND_TRANSITIONS, error=ReviewError, action_labels=ACTION_LABELS
    )
    refusal = _publish_refusal(locked, today)
    if refusal:
        raise ReviewError(refusal[1], code=refusal[0])
    assessments = _round_assessments(locked)
    # One last measurement while the round is still unfrozen; nothing measures it after.
    scoring.measure(locked, assessments)
    for a in assessments:
        rescore(a)
    _rank(assessments)
    now = timezone.now()
    _move_all(assessments, actor, "publish", now)
    for a in assessments:
        a.current_stars = a.stars
        a.frozen_at = now
    Assessment.objects.bulk_update(
        assessments,
        [
            "status",
            "score",
            "stars",
            "current_stars",
            "rank",
            "frozen_at",
            "version",
            "updated_at",
        ],
    )
    before = locked.status
    locked.status = RatingRound.Status.PUBLISHED
    locked.published_at = now
    locked.save(update_fields=["status", "published_at"])
    _round_event(locked, actor, "publish", before, at=now)
    record(
        actor,
        "rating.round.publish",
        locked,
        before={"status": before},
        after={"status": locked.status, "published_at": now.isoformat()},
    )
    users = branch_officers(a.org_id for a in assessments)
    if users:
        notify(
            f"rating.round:{locked.pk}:published",
            kind=RATING_PUBLISHED.key,
            title=lazy_format(gettext_lazy("Star rating published: %(round)s"), round=locked.title),
            text=gettext_lazy("The stars are in force from today."),
            url=_round_url(locked),
            users=users,
            org=locked.org,
        )
    return locked


# --- objections ------------------------------------------------------------------------------


def on_notice(assessment: Assessment, today: datetime.date | None = None) -> bool:
    """The assessment's notice runs today."""
    round_ = assessment.round
    today = today or timezone.localdate()
    return (
        assessment.status == Assessment.Status.PUBLICITY
        and round_.publicity_starts is not None
        and round_.publicity_ends is not None
        and round_.publicity_starts <= today <= round_.publicity_ends
    )


@transaction.atomic
def raise_objection(
    actor: Actor, assessment: Assessment, *, text: str, today: datetime.date | None = None
) -> Objection:
    """Object to a branch's proposed stars during the notice; see the module doc."""
    locked = _lock_assessment(assessment)
    if not on_notice(locked, today):
        raise ReviewError(
            _("Objections are taken only while the public notice runs."), code="not_on_notice"
        )
    if actor is None:
        raise ReviewError(_("An objection needs a person who raises it."), code="invalid")
    if not can_object(actor, locked):
        raise PermissionDenied(_("Your posts do not allow this change."))
    text = _text(text, "text", limit=MAX_TEXT, message=_("Write the objection."))
    if Objection.objects.filter(
        assessment=locked, raised_by=_user(actor), status=Objection.Status.OPEN, text=text
    ).exists():
        raise ReviewError(
            {"text": _("You already raised this objection; it awaits its answer.")},
            code="duplicate",
        )
    objection = Objection.objects.create(assessment=locked, raised_by=_user(actor), text=text)
    _event(locked, actor, "object", locked.status, note=text, data={"objection": objection.pk})
    record(actor, "rating.objection.raise", objection, after={"text": text})
    users = round_runners(locked.round)
    if users:
        notify(
            f"rating.objection:{objection.pk}:raised",
            kind=RATING_OBJECTION.key,
            title=lazy_format(gettext_lazy("Objection to %(org)s's rating"), org=locked.org.name),
            text=text,
            url=reverse("rating-publicity", args=[locked.round_id]),
            users=users,
            org=locked.round.org,
        )
    return objection


@transaction.atomic
def answer_objection(actor: Actor, objection: Objection, *, status: str, answer: str) -> Objection:
    """Uphold or dismiss an open objection, with the answer; see the module doc."""
    locked = lock(
        objection,
        Objection.objects.select_related("assessment", "assessment__round", "assessment__org"),
    )
    round_ = locked.assessment.round
    require(actor, can_run_round(actor, round_))
    if locked.status != Objection.Status.OPEN:
        raise ReviewError(_("This objection was answered already."), code="answered")
    if status not in (Objection.Status.UPHELD, Objection.Status.DISMISSED):
        raise ReviewError({"status": _("Uphold or dismiss the objection.")}, code="invalid")
    answer = _text(answer, "answer", limit=MAX_TEXT, message=_("Write the answer."))
    now = timezone.now()
    locked.status, locked.answer = status, answer
    locked.answered_by, locked.answered_at = _user(actor), now
    locked.save(update_fields=["status", "answer", "answered_by", "answered_at"])
    a = locked.assessment
    _event(
        a, actor, "answer", a.status, note=answer, data={"objection": locked.pk, "status": status}
    )
    record(
        actor,
        "rating.objection.answer",
        locked,
        before={"status": Objection.Status.OPEN},
        after={"status": status, "answer": answer},
    )
    users = list(User.objects.filter(pk=locked.raised_by_id, is_active=True))
    if users:
        notify(
            f"rating.objection:{locked.pk}:answered",
            kind=RATING_OBJECTION.key,
            title=lazy_format(gettext_lazy("Your objection was answered: %(org)s"), org=a.org.name),
            text=answer,
            url=reverse("rating-publicity", args=[round_.pk]),
            users=users,
        )
    return locked


# --- star changes ----------------------------------------------------------------------------


@transaction.atomic
def change_stars(
    actor: Actor,
    assessment: Assessment,
    *,
    to_stars: Any,
    reason: str,
    decision_ref: str,
    decided_on: datetime.date | None,
    veto: VetoItem | int | None = None,
) -> StarChange:
    """Lower or withdraw the stars in force of a published rating; see the module doc."""
    require(actor, can_review(actor, assessment))
    locked = _lock_assessment(assessment)
    if locked.status != Assessment.Status.PUBLISHED or locked.current_stars is None:
        raise ReviewError(_("Stars change only on a published rating."), code="not_published")
    try:
        to = int(to_stars)
    except (TypeError, ValueError):
        raise ReviewError({"to_stars": _("Enter a number of stars.")}, code="invalid") from None
    if not 0 <= to < locked.current_stars:
        raise ReviewError(
            {
                "to_stars": _("Stars can only be lowered: enter 0 to %(n)s.")
                % {"n": locked.current_stars - 1}
                if locked.current_stars
                else _("This branch has no star left to withdraw.")
            },
            code="not_lower",
        )
    reason = _text(reason, "reason", limit=MAX_TEXT, message=_("Give the reason."))
    ref = _text(decision_ref, "decision_ref", limit=100, message=_("Name the decision document."))
    if decided_on is None:
        raise ReviewError({"decided_on": _("Give the date of the decision.")}, code="invalid")
    if decided_on > timezone.localdate():
        raise ReviewError(
            {"decided_on": _("The decision cannot be dated in the future.")}, code="out_of_range"
        )
    veto_item: VetoItem | None = None
    if veto not in (None, ""):
        veto_pk = veto.pk if isinstance(veto, VetoItem) else veto
        veto_item = locked.round.standard.vetoes.filter(pk=_int_or_none(veto_pk)).first()
        if veto_item is None:
            raise ReviewError({"veto": _("A veto item of another standard.")}, code="foreign_veto")
    change = StarChange.objects.create(
        assessment=locked,
        from_stars=locked.current_stars,
        to_stars=to,
        veto=veto_item,
        reason=reason,
        decision_ref=ref,
        decided_on=decided_on,
        decided_by=_user(actor),
    )
    before = locked.current_stars
    locked.current_stars = to
    locked.version += 1
    locked.updated_at = timezone.now()
    locked.save(update_fields=["current_stars", "version", "updated_at"])
    data = {
        "from_stars": before,
        "to_stars": to,
        "decision_ref": ref,
        "decided_on": decided_on.isoformat(),
        "veto": veto_item.pk if veto_item else None,
    }
    _event(locked, actor, "change_stars", locked.status, note=reason, data=data)
    record(
        actor,
        "rating.assessment.change_stars",
        locked,
        before={"current_stars": before},
        after=data,
        note=reason,
    )
    users = branch_officers([locked.org_id])
    if users:
        notify(
            f"rating.star_change:{change.pk}",
            kind=RATING_STARS_CHANGED.key,
            title=lazy_format(
                gettext_lazy("Stars of %(org)s: %(before)s → %(after)s"),
                org=locked.org.name,
                before=before,
                after=to,
            ),
            text=lazy_format(gettext_lazy("%(ref)s: %(reason)s"), ref=ref, reason=reason),
            url=_assessment_url(locked),
            users=users,
            org=locked.org,
        )
    return change


def _int_or_none(value: Any) -> int:
    """An id, or 0 (no row has it)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
