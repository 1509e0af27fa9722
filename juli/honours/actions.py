"""Every write of honours: kinds, calls, nominations (by hand or from a rating round),
review, conferral, publication and revocation.

Rules (each refusal writes nothing):

- Only the office roles over the conferring organisation create kinds, open calls, review,
  confer, publish and revoke (`access.can_run`); only the officers of an organisation the kind
  allows nominate for it (`access.may_nominate_for`): otherwise PermissionDenied (403).
- A nomination is taken while the call is `nominating` and not past `nominate_until`; its
  nominee lies in the nominating organisation's subtree and is of the kind's target
  (organisation or person); a nominee is named at most once per call (withdrawn ones aside);
  the active nominations (nominated, accepted, conferred) stay within the call's quota and
  the per-nominator quota. The call row is locked while counting, so two racing nominations
  cannot both take the last place.
- Conferral needs every nomination decided (accepted or rejected); each accepted one becomes
  an `Honour` numbered "<year>-<code>-<nnn>" in the order of the nominees' places in the
  tree, with its content hash frozen (the certificate's verification code).
- An honour is revoked only with a reason and the decision document.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from juli.core.audit import record, snapshot
from juli.core.signing import hash_content
from juli.core.types import Actor
from juli.core.workflow import Move, append_event, lock, transition
from juli.core.writes import require, user_of
from juli.notify.actions import notify
from juli.notify.text import lazy_format
from juli.orgs.models import PartyOrg, Person, User
from juli.rating.models import Assessment, RatingRound

from . import access
from .models import (
    CALL_TRANSITIONS,
    HONOUR_TRANSITIONS,
    NOMINATION_TRANSITIONS,
    CallEvent,
    Honour,
    HonourCall,
    HonourEvent,
    HonourKind,
    Nomination,
    NominationEvent,
    Target,
)
from .notices import HONOUR_CALL, HONOUR_CONFERRED, HONOUR_NOMINATED
from .signables import content_of


class HonourError(ValidationError):
    """A refusal of the honours rules (code `illegal_state` answers 409 in the API). The
    code is kept also for a dict of field messages (Django drops it there)."""

    def __init__(self, message: Any, code: str | None = None, params: Any = None) -> None:
        super().__init__(message, code, params)
        self.code = code


KIND_FIELDS = ["org", "name", "code", "target", "description", "criteria", "default_quota"]
CALL_FIELDS = ["kind", "year", "quota", "per_nominator_quota", "nominate_until", "status"]
NOMINATION_FIELDS = ["call", "nominator", "nominee_name", "reason", "assessment", "status"]


def officers(orgs: Iterable[PartyOrg]) -> QuerySet[User]:
    """The users holding a current run post in exactly these organisations."""
    return User.objects.filter(
        is_active=True,
        person__posts__org__in=list(orgs),
        person__posts__ended_on__isnull=True,
        person__posts__role__in=access.RUN_ROLES,
    ).distinct()


# --- kinds and calls -------------------------------------------------------------------------


@transaction.atomic
def create_kind(
    actor: Actor,
    *,
    org: PartyOrg,
    name: str,
    code: str,
    target: str,
    description: str = "",
    criteria: str = "",
    default_quota: int = 10,
    nominators: Sequence[PartyOrg] = (),
) -> HonourKind:
    """A kind of honour conferred by `org`. `nominators` (in `org`'s subtree) may nominate;
    none listed: any organisation in the subtree."""
    require(actor, access.can_run(actor, org.path) if actor is not None else True)
    kind = HonourKind(
        org=org,
        org_path=org.path,
        name=name.strip(),
        code=code.strip().upper(),
        target=target,
        description=description.strip(),
        criteria=criteria.strip(),
        default_quota=default_quota,
        created_by=user_of(actor),
    )
    errors: dict[str, str] = {}
    outside = [o.name for o in nominators if not o.path.startswith(org.path)]
    if outside:
        errors["nominators"] = _("Outside the conferring organisation: %(names)s.") % {
            "names": "、".join(outside)
        }
    if HonourKind.objects.filter(org=org, name=kind.name).exists():
        errors["name"] = _("This organisation already has an honour of this name.")
    if HonourKind.objects.filter(code=kind.code).exists():
        errors["code"] = _("This code is already used by another honour.")
    try:
        kind.full_clean(exclude=["org", "created_by"])
    except ValidationError as exc:
        errors = {**{k: " ".join(v) for k, v in exc.message_dict.items()}, **errors}
    if errors:
        raise HonourError(errors, code="invalid")
    kind.save()
    kind.nominators.set(nominators)
    record(
        actor,
        "honour_kind.create",
        kind,
        after={**snapshot(kind, KIND_FIELDS), "nominators": [o.pk for o in nominators]},
    )
    return kind


@transaction.atomic
def open_call(
    actor: Actor,
    kind: HonourKind,
    *,
    year: int,
    nominate_until: datetime.date,
    quota: int | None = None,
    per_nominator_quota: int | None = None,
) -> HonourCall:
    """Open `year`'s call of `kind` (one per kind and year); quota defaults to the kind's."""
    require(actor, access.can_run(actor, kind.org_path) if actor is not None else True)
    call = HonourCall(
        kind=kind,
        org_path=kind.org_path,
        year=year,
        quota=quota if quota is not None else kind.default_quota,
        per_nominator_quota=per_nominator_quota,
        nominate_until=nominate_until,
        created_by=user_of(actor),
    )
    errors: dict[str, str] = {}
    try:
        call.full_clean(exclude=["kind", "created_by"])
    except ValidationError as exc:
        errors = {k: " ".join(v) for k, v in exc.message_dict.items()}
    if HonourCall.objects.filter(kind=kind, year=year).exists():
        errors["year"] = _("This honour already has a call for %(year)s.") % {"year": year}
    if per_nominator_quota is not None and per_nominator_quota > call.quota:
        errors["per_nominator_quota"] = _("The quota per organisation exceeds the quota.")
    if errors:
        raise HonourError(errors, code="invalid")
    call.save()
    append_event(CallEvent, call, actor=actor, action="open", from_status="", to_status=call.status)
    record(actor, "honour_call.open", call, after=snapshot(call, CALL_FIELDS))
    nominator_orgs = list(kind.nominators.all()) or [kind.org]
    notify(
        f"honours.call:{call.pk}:open",
        kind=HONOUR_CALL.key,
        title=lazy_format(
            gettext_lazy("Nominations open: %(year)s %(honour)s"), year=year, honour=kind.name
        ),
        text=lazy_format(gettext_lazy("Nominate by %(date)s."), date=nominate_until.isoformat()),
        url=reverse("honours-call", args=[call.pk]),
        users=officers(nominator_orgs),
    )
    return call


# --- nominations -----------------------------------------------------------------------------


def _nominee(
    call: HonourCall, nominator: PartyOrg, org: PartyOrg | None, person: Person | None
) -> tuple[str, str]:
    """(path, name) of the nominee, or a refusal at the field."""
    if call.kind.target == Target.ORG:
        if org is None or person is not None:
            raise HonourError(
                {"nominee_org": _("This honour is for organisations: choose one.")},
                code="wrong_target",
            )
        if org.kind == PartyOrg.Kind.GROUP or org.status != PartyOrg.Status.ACTIVE:
            raise HonourError(
                {"nominee_org": _("Only an active branch or committee can be nominated.")},
                code="wrong_target",
            )
        if not org.path.startswith(nominator.path):
            raise HonourError(
                {
                    "nominee_org": _("%(name)s is not in your organisation's subtree.")
                    % {"name": org.name}
                },
                code="outside_subtree",
            )
        return org.path, org.name
    if person is None or org is not None:
        raise HonourError(
            {"nominee_person": _("This honour is for people: choose a person.")},
            code="wrong_target",
        )
    if not person.org_path or not person.org_path.startswith(nominator.path):
        raise HonourError(
            {
                "nominee_person": _("%(name)s is not a member in your organisation's subtree.")
                % {"name": person.name}
            },
            code="outside_subtree",
        )
    return person.org_path, person.name


def _check_open(call: HonourCall, today: datetime.date) -> None:
    if call.status != HonourCall.Status.NOMINATING:
        raise HonourError(_("This call no longer takes nominations."), code="illegal_state")
    if today > call.nominate_until:
        raise HonourError(
            _("Nominations closed on %(date)s.") % {"date": call.nominate_until.isoformat()},
            code="deadline_passed",
        )


def _check_quota(call: HonourCall, nominator: PartyOrg, adding: int) -> None:
    active = Nomination.objects.filter(call=call, status__in=Nomination.ACTIVE)
    taken = active.count()
    if taken + adding > call.quota:
        raise HonourError(
            {
                "nominee_org" if call.kind.target == Target.ORG else "nominee_person": _(
                    "Over the quota: %(quota)s places, %(taken)s taken, %(adding)s asked."
                )
                % {"quota": call.quota, "taken": taken, "adding": adding}
            },
            code="over_quota",
        )
    if call.per_nominator_quota is not None:
        own = active.filter(nominator=nominator).count()
        if own + adding > call.per_nominator_quota:
            raise HonourError(
                {
                    "nominator": _(
                        "Over the quota of %(quota)s per organisation: %(name)s has "
                        "%(taken)s, %(adding)s asked."
                    )
                    % {
                        "quota": call.per_nominator_quota,
                        "name": nominator.name,
                        "taken": own,
                        "adding": adding,
                    }
                },
                code="over_quota",
            )


def _duplicate(call: HonourCall, org: PartyOrg | None, person: Person | None) -> bool:
    qs = Nomination.objects.filter(call=call).exclude(status=Nomination.Status.WITHDRAWN)
    return qs.filter(nominee_org=org).exists() if org else qs.filter(nominee_person=person).exists()


def _create(
    actor: Actor,
    call: HonourCall,
    nominator: PartyOrg,
    org: PartyOrg | None,
    person: Person | None,
    reason: str,
    assessment: Assessment | None,
) -> Nomination:
    path, name = _nominee(call, nominator, org, person)
    if _duplicate(call, org, person):
        field = "nominee_org" if org else "nominee_person"
        raise HonourError(
            {field: _("%(name)s is already nominated in this call.") % {"name": name}},
            code="duplicate",
        )
    nomination = Nomination(
        call=call,
        nominator=nominator,
        nominator_path=nominator.path,
        nominee_org=org,
        nominee_person=person,
        nominee_path=path,
        nominee_name=name,
        reason=reason,
        assessment=assessment,
        created_by=user_of(actor),
    )
    try:
        with transaction.atomic():
            nomination.save()
    except IntegrityError:  # a racing request named the same nominee
        raise HonourError(
            {"nominee_org": _("%(name)s is already nominated in this call.") % {"name": name}},
            code="duplicate",
        ) from None
    append_event(
        NominationEvent,
        nomination,
        actor=actor,
        action="nominate",
        from_status="",
        to_status=nomination.status,
        note=reason,
    )
    record(actor, "nomination.create", nomination, after=snapshot(nomination, NOMINATION_FIELDS))
    return nomination


def _announce_nominations(call: HonourCall, nominator: PartyOrg, count: int) -> None:
    notify(
        f"honours.call:{call.pk}:nominated:{nominator.pk}:{timezone.now().timestamp()}",
        kind=HONOUR_NOMINATED.key,
        title=lazy_format(
            gettext_lazy("%(org)s nominated %(count)s for %(honour)s"),
            org=nominator.name,
            count=count,
            honour=call.kind.name,
        ),
        text="",
        url=reverse("honours-call", args=[call.pk]),
        users=officers([call.kind.org]),
    )


def nominate(
    actor: Actor,
    call: HonourCall,
    *,
    nominator: PartyOrg,
    reason: str,
    nominee_org: PartyOrg | None = None,
    nominee_person: Person | None = None,
    assessment: Assessment | None = None,
    today: datetime.date | None = None,
) -> Nomination:
    """Nominate one organisation or person (see the module's rules)."""
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = lock(call, HonourCall.objects.select_related("kind", "kind__org"))
        require(actor, access.may_nominate_for(actor, locked.kind, nominator) if actor else True)
        _check_open(locked, today or timezone.localdate())
        if not reason:
            raise HonourError({"reason": _("Say why you nominate them.")}, code="invalid")
        if assessment is not None and (
            assessment.status != Assessment.Status.PUBLISHED
            or nominee_org is None
            or assessment.org_id != nominee_org.pk
        ):
            raise HonourError(
                {"assessment": _("Not a published rating of this organisation.")},
                code="invalid",
            )
        _nominee(locked, nominator, nominee_org, nominee_person)
        _check_quota(locked, nominator, 1)
        nomination = _create(
            actor, locked, nominator, nominee_org, nominee_person, reason, assessment
        )
        transaction.on_commit(lambda: _announce_nominations(locked, nominator, 1))
    return nomination


def round_candidates(
    round_: RatingRound,
    nominator: PartyOrg,
    *,
    min_stars: int | None = None,
    top: int | None = None,
) -> list[Assessment]:
    """The published assessments of `round_` in `nominator`'s subtree with at least
    `min_stars` stars in force and/or ranked within `top`, best ranked first."""
    qs = Assessment.objects.select_related("org").filter(
        round=round_,
        status=Assessment.Status.PUBLISHED,
        org_path__startswith=nominator.path,
        current_stars__isnull=False,
    )
    if min_stars is not None:
        qs = qs.filter(current_stars__gte=min_stars)
    if top is not None:
        qs = qs.filter(rank__lte=top)
    return list(qs.order_by("rank", "org_path"))


def nominate_from_round(
    actor: Actor,
    call: HonourCall,
    *,
    nominator: PartyOrg,
    round_: RatingRound,
    reason: str,
    min_stars: int | None = None,
    top: int | None = None,
    today: datetime.date | None = None,
) -> list[Nomination]:
    """Nominate, in one action, the branches of a published rating round that meet the
    choice (stars in force ≥ `min_stars`, rank ≤ `top`); those already nominated are left
    out. All or nothing: over the quota, nothing is written."""
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = lock(call, HonourCall.objects.select_related("kind", "kind__org"))
        require(actor, access.may_nominate_for(actor, locked.kind, nominator) if actor else True)
        _check_open(locked, today or timezone.localdate())
        errors: dict[str, str] = {}
        if locked.kind.target != Target.ORG:
            errors["round"] = _("A rating round names organisations; this honour is for people.")
        elif round_.status != RatingRound.Status.PUBLISHED:
            errors["round"] = _("The round's results are not published yet.")
        if min_stars is None and top is None:
            errors["min_stars"] = _("Choose the least stars or the top places.")
        if min_stars is not None and not 1 <= min_stars <= 5:
            errors["min_stars"] = _("Stars go from 1 to 5.")
        if top is not None and not 1 <= top <= 10000:
            errors["top"] = _("Give a number of places from 1.")
        if not reason:
            errors["reason"] = _("Say why you nominate them.")
        if errors:
            raise HonourError(errors, code="invalid")
        picked = [
            a
            for a in round_candidates(round_, nominator, min_stars=min_stars, top=top)
            if a.org.status == PartyOrg.Status.ACTIVE and not _duplicate(locked, a.org, None)
        ]
        if not picked:
            raise HonourError(
                {"round": _("No branch of the round meets this choice that is not nominated.")},
                code="none_found",
            )
        _check_quota(locked, nominator, len(picked))
        made = [_create(actor, locked, nominator, a.org, None, reason, a) for a in picked]
        transaction.on_commit(lambda: _announce_nominations(locked, nominator, len(made)))
    return made


def withdraw(actor: Actor, nomination: Nomination, note: str = "") -> Nomination:
    """The nominating organisation takes back a nomination not yet reviewed."""

    def check(actor: Any, locked: Nomination, move: Move) -> None:
        require(actor, access.can_withdraw(actor, locked))
        if locked.call.status != HonourCall.Status.NOMINATING:
            raise HonourError(_("This call no longer takes nominations."), code="illegal_state")

    return transition(
        actor,
        nomination,
        "withdraw",
        table=NOMINATION_TRANSITIONS,
        event_model=NominationEvent,
        check=check,
        note=note,
        queryset=Nomination.objects.select_related("call"),
        audit_verb="nomination.withdraw",
        error=HonourError,
    )


def review(actor: Actor, nomination: Nomination, *, accept: bool, reason: str = "") -> Nomination:
    """Accept or reject a nomination (the call's runners, while nominating or reviewing);
    a rejection needs its reason. A decision may be changed until conferral."""
    reason = (reason or "").strip()
    action = "accept" if accept else "reject"

    def check(actor: Any, locked: Nomination, move: Move) -> None:
        require(actor, access.can_run(actor, locked.call.org_path))
        if locked.call.status not in (HonourCall.Status.NOMINATING, HonourCall.Status.REVIEWING):
            raise HonourError(_("This call is already conferred."), code="illegal_state")
        if not accept and not reason:
            raise HonourError({"reason": _("Say why it is rejected.")}, code="invalid")

    def effects(
        locked: Nomination, move: Move, now: datetime.datetime
    ) -> tuple[list[str], dict[str, Any]]:
        locked.review_reason = reason
        locked.reviewed_by = user_of(actor)
        locked.reviewed_at = now
        return ["review_reason", "reviewed_by", "reviewed_at"], {"reason": reason}

    done = transition(
        actor,
        nomination,
        action,
        table=NOMINATION_TRANSITIONS,
        event_model=NominationEvent,
        check=check,
        effects=effects,
        note=reason,
        queryset=Nomination.objects.select_related("call", "call__kind", "nominator"),
        audit_verb=f"nomination.{action}",
        error=HonourError,
    )
    title = (
        gettext_lazy("Nomination accepted: %(name)s")
        if accept
        else gettext_lazy("Nomination rejected: %(name)s")
    )
    notify(
        f"honours.nomination:{done.pk}:{action}:{done.reviewed_at and done.reviewed_at.timestamp()}",
        kind=HONOUR_NOMINATED.key,
        title=lazy_format(title, name=done.nominee_name),
        text=reason,
        url=reverse("honours-call", args=[done.call_id]),
        users=officers([done.nominator]),
    )
    return done


# --- the call's steps ------------------------------------------------------------------------


def close_nominations(actor: Actor, call: HonourCall) -> HonourCall:
    """End the nominations: the call goes to review."""
    return transition(
        actor,
        call,
        "close",
        table=CALL_TRANSITIONS,
        event_model=CallEvent,
        check=lambda actor, locked, move: require(actor, access.can_run(actor, locked.org_path)),
        queryset=HonourCall.objects.select_related("kind"),
        audit_verb="honour_call.close",
        error=HonourError,
    )


def number_of(call: HonourCall, n: int) -> str:
    return f"{call.year}-{call.kind.code}-{n:03d}"


def confer(
    actor: Actor, call: HonourCall, *, conferred_on: datetime.date | None = None
) -> HonourCall:
    """Confer the honour on every accepted nomination (all must be decided), numbered in
    the order of the nominees' places in the tree."""
    on = conferred_on or timezone.localdate()
    made: list[Honour] = []

    def check(actor: Any, locked: HonourCall, move: Move) -> None:
        require(actor, access.can_run(actor, locked.org_path))
        if locked.nominations.filter(status=Nomination.Status.NOMINATED).exists():
            raise HonourError(
                _("Decide every nomination (accept or reject) before conferring."),
                code="undecided",
            )
        if not locked.nominations.filter(status=Nomination.Status.ACCEPTED).exists():
            raise HonourError(_("No nomination is accepted."), code="none_accepted")

    def effects(
        locked: HonourCall, move: Move, now: datetime.datetime
    ) -> tuple[list[str], dict[str, Any]]:
        locked.conferred_on = on
        accepted = list(
            locked.nominations.filter(status=Nomination.Status.ACCEPTED)
            .select_related("nominee_org", "nominee_person")
            .order_by("nominee_path", "nominee_name", "pk")
        )
        taken = set(
            Honour.objects.filter(
                number__in=[number_of(locked, n) for n in range(1, len(accepted) + 1)]
            ).values_list("number", flat=True)
        )
        if taken:
            raise HonourError(
                _("These numbers are already used: %(numbers)s.")
                % {"numbers": ", ".join(sorted(taken))},
                code="number_taken",
            )
        for n, nomination in enumerate(accepted, start=1):
            honour = Honour(
                call=locked,
                nomination=nomination,
                org=nomination.nominee_org,
                person=nomination.nominee_person,
                holder_path=nomination.nominee_path,
                holder_name=nomination.nominee_name,
                number=number_of(locked, n),
                conferred_on=on,
            )
            honour.content_hash = hash_content(content_of(honour))
            made.append(honour)
        Honour.objects.bulk_create(made)
        made[:] = list(Honour.objects.filter(call=locked).order_by("number"))
        Nomination.objects.filter(pk__in=[a.pk for a in accepted]).update(
            status=Nomination.Status.CONFERRED
        )
        for nomination in accepted:
            append_event(
                NominationEvent,
                nomination,
                actor=actor,
                action="confer",
                from_status=Nomination.Status.ACCEPTED,
                to_status=Nomination.Status.CONFERRED,
                at=now,
            )
        HonourEvent.objects.bulk_create(
            HonourEvent(
                honour=h,
                actor=user_of(actor),
                action="confer",
                from_status="",
                to_status=h.status,
                at=now,
            )
            for h in made
        )
        return ["conferred_on"], {"conferred_on": on.isoformat(), "honours": len(accepted)}

    done = transition(
        actor,
        call,
        "confer",
        table=CALL_TRANSITIONS,
        event_model=CallEvent,
        check=check,
        effects=effects,
        queryset=HonourCall.objects.select_related("kind", "kind__org"),
        audit_verb="honour_call.confer",
        error=HonourError,
    )
    holders = [h.org for h in made if h.org is not None]
    notify(
        f"honours.call:{done.pk}:conferred",
        kind=HONOUR_CONFERRED.key,
        title=lazy_format(
            gettext_lazy("%(year)s %(honour)s conferred"), year=done.year, honour=done.kind.name
        ),
        text="",
        url=reverse("honours-call", args=[done.pk]),
        users=officers(holders),
    )
    return done


def publish(actor: Actor, call: HonourCall) -> HonourCall:
    """Publish a conferred call: its honours show on the list and on the branches' pages."""

    def check(actor: Any, locked: HonourCall, move: Move) -> None:
        require(actor, access.can_run(actor, locked.org_path))

    def effects(
        locked: HonourCall, move: Move, now: datetime.datetime
    ) -> tuple[list[str], dict[str, Any]]:
        locked.published_at = now
        honours = list(locked.honours.filter(status=Honour.Status.CONFERRED))
        Honour.objects.filter(pk__in=[h.pk for h in honours]).update(
            status=Honour.Status.PUBLISHED, published_at=now
        )
        HonourEvent.objects.bulk_create(
            HonourEvent(
                honour=h,
                actor=user_of(actor),
                action="publish",
                from_status=Honour.Status.CONFERRED,
                to_status=Honour.Status.PUBLISHED,
                at=now,
            )
            for h in honours
        )
        return ["published_at"], {"honours": len(honours)}

    done = transition(
        actor,
        call,
        "publish",
        table=CALL_TRANSITIONS,
        event_model=CallEvent,
        check=check,
        effects=effects,
        queryset=HonourCall.objects.select_related("kind", "kind__org"),
        audit_verb="honour_call.publish",
        error=HonourError,
    )
    notify(
        f"honours.call:{done.pk}:published",
        kind=HONOUR_CONFERRED.key,
        title=lazy_format(
            gettext_lazy("%(year)s %(honour)s published"), year=done.year, honour=done.kind.name
        ),
        text="",
        url=reverse("honours-list") + f"?call={done.pk}",
        org=done.kind.org,
        users=officers(
            PartyOrg.objects.filter(
                pk__in=done.honours.exclude(org=None).values_list("org", flat=True)
            )
        ),
    )
    return done


def revoke(actor: Actor, honour: Honour, *, reason: str, decision_ref: str) -> Honour:
    """Revoke an honour by a recorded decision; its certificate's code stops verifying."""
    reason, decision_ref = (reason or "").strip(), (decision_ref or "").strip()

    def check(actor: Any, locked: Honour, move: Move) -> None:
        require(actor, access.can_run(actor, locked.call.org_path))
        errors = {}
        if not reason:
            errors["reason"] = _("Say why the honour is revoked.")
        if not decision_ref:
            errors["decision_ref"] = _("Name the decision document.")
        if errors:
            raise HonourError(errors, code="invalid")

    def effects(
        locked: Honour, move: Move, now: datetime.datetime
    ) -> tuple[list[str], dict[str, Any]]:
        locked.revoked_at = now
        locked.revoke_reason = reason
        locked.decision_ref = decision_ref
        return ["revoked_at", "revoke_reason", "decision_ref"], {"decision_ref": decision_ref}

    done = transition(
        actor,
        honour,
        "revoke",
        table=HONOUR_TRANSITIONS,
        event_model=HonourEvent,
        check=check,
        effects=effects,
        note=reason,
        queryset=Honour.objects.select_related("call", "call__kind"),
        audit_verb="honour.revoke",
        error=HonourError,
    )
    if done.org is not None:
        notify(
            f"honours.honour:{done.pk}:revoked",
            kind=HONOUR_CONFERRED.key,
            title=lazy_format(gettext_lazy("Honour revoked: %(number)s"), number=done.number),
            text=reason,
            url=reverse("honours-honour", args=[done.pk]),
            users=officers([done.org]),
        )
    return done


def legal_call_moves(call: HonourCall) -> list[str]:
    return [a for a in CALL_TRANSITIONS if call.status in CALL_TRANSITIONS[a].sources]


__all__ = [
    "HonourError",
    "close_nominations",
    "confer",
    "create_kind",
    "nominate",
    "nominate_from_round",
    "open_call",
    "publish",
    "review",
    "revoke",
    "withdraw",
]
