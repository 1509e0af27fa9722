"""Every hand-over of the case loop, told (issue 14): whoever must act next gets a bell row
and, where the case's area or unit has a channel that takes the kind, a channel message.

| step                   | kind         | told                                                     |
|------------------------|--------------|----------------------------------------------------------|
| reported (any source)  | `reported`   | street officers over the area, else its district admins  |
| dispatched / resumed   | `dispatched` | the unit's staff                                         |
| rectified              | `rectified`  | inspectors over the area and the street officers         |
| verified               | `verified`   | the street officers (they close)                         |
| closed / rejected      | `closed` / `rejected` | the reporting user, with the outcome / the reason |
| sent back              | `sent_back`  | the unit's staff, with the reason                        |
| deferred / reopened    | `deferred` / `reopened` | the unit's staff, with the reason             |
| overdue (督办)          | `escalated`  | the unit's staff and the street officers                 |

Accepting tells nobody: the office that accepts also dispatches, and the unit is told once,
when the case is dispatched to it. The actor is never told of their own step. A case reported
by an inspection is accepted on the spot: the notice then asks the office to dispatch it.

Messages are written in the reader's language (`juli.notify.text`): the titles are lazy
msgids formatted when `notify()` renders them for each reader, the detail a callable. They
name the case number, title and area, what to do, and the deadline where there is one. The
event key is the case, the kind and the step's time: one notice per person and step.

Every function here runs inside the step's transaction (the rows exist exactly when the step
does); the channels' sending is queued on commit by `notify()`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from juli.core.types import Actor
from juli.notify.text import lazy_format
from juli.orgs.models import Area, Post, User
from juli.orgs.roles import Role

from . import notices
from .models import Case

S = Case.Status


# --- Who acts next ------------------------------------------------------------------------------


def _ancestors(area_path: str) -> list[str]:
    step = Area.steplen
    return [area_path[:n] for n in range(step, len(area_path) + 1, step)]


def _current_users(posts: QuerySet[Post]) -> QuerySet[User]:
    today = timezone.localdate()
    person_ids = (
        posts.filter(started_on__lte=today)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
        .values("person_id")
    )
    return User.objects.filter(person_id__in=person_ids, is_active=True)


def unit_contacts(unit_id: int | None) -> QuerySet[User]:
    """The users holding a current unit_staff post on the unit (its people in Juli)."""
    if unit_id is None:
        return User.objects.none()
    return _current_users(Post.objects.filter(unit_id=unit_id, role=Role.UNIT_STAFF))


def street_officers(area_path: str) -> QuerySet[User]:
    """The users holding a current street_officer post on the street above `area_path`."""
    return _current_users(
        Post.objects.filter(
            role=Role.STREET_OFFICER,
            area__path__in=_ancestors(area_path),
            area__kind=Area.Kind.STREET,
        )
    )


def district_admins(area_path: str) -> QuerySet[User]:
    """The users holding a current district_admin post on the district above `area_path`."""
    return _current_users(
        Post.objects.filter(role=Role.DISTRICT_ADMIN, area__path__in=_ancestors(area_path))
    )


def inspectors(area_path: str) -> QuerySet[User]:
    """The users holding a current inspector post on `area_path` or an area above it."""
    return _current_users(
        Post.objects.filter(role=Role.INSPECTOR, area__path__in=_ancestors(area_path))
    )


def acceptors(area_path: str) -> list[User]:
    """Who accepts a case reported in `area_path`: the street's officers, or, where the
    street has none in Juli, the district's admins."""
    return list(street_officers(area_path)) or list(district_admins(area_path))


def reporter(case: Case) -> list[User]:
    """The reporting user, if the case has one (a public report has none) and they are
    still active."""
    if case.reporter_id is None:
        return []
    return list(User.objects.filter(pk=case.reporter_id, is_active=True))


# --- What they read -----------------------------------------------------------------------------


def _when(moment: datetime.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _detail(case: Case, todo: Promise | None, reason: str) -> object:
    """The channel message's lines, rendered in the language `notify()` asks for."""
    number, title, area = case.number, case.title, case.area.name
    unit = case.unit.name if case.unit_id and case.unit else ""
    deadline = _when(case.deadline)

    def lines(language: str) -> str:
        colon = "：" if language.lower().startswith("zh") else ": "
        rows = [
            (_("Case"), f"{number} · {title}"),
            (_("Area"), area),
        ]
        if unit:
            rows.append((_("Responsible unit"), unit))
        if deadline and case.status in {S.DISPATCHED, S.RECTIFIED}:
            rows.append((_("Deadline"), deadline))
        if reason:
            rows.append((_("Reason"), reason))
        if todo is not None:
            rows.append((_("To do"), str(todo)))
        return "\n".join(f"- {label}{colon}{value}" for label, value in rows)

    return lines


def tell(
    case: Case,
    kind: str,
    title: Promise,
    users: Iterable[User],
    now: datetime.datetime,
    *,
    actor: Actor = None,
    todo: Promise | None = None,
    reason: str = "",
) -> None:
    """Tell `users` (never the actor) and the channels of the case's area and unit of one
    step of `case`, through `juli.notify`. The event key is the case, the kind and the
    step's time: one notice per person and step, a replay adds nothing."""
    from juli.notify.actions import notify

    actor_pk = getattr(actor, "pk", None)
    notify(
        f"case:{case.pk}:{kind}:{now.strftime('%Y%m%dT%H%M%S%f')}",
        kind=kind,
        title=title,
        text=_detail(case, todo, reason),  # type: ignore[arg-type]
        users=[user for user in users if user.pk != actor_pk],
        area=case.area,
        unit=case.unit if case.unit_id else None,
        case=case,
        # In Juli the list links each reader to the case page of their role; a group chat
        # is read at the desk, so channels get the office page.
        channel_url=reverse("case-detail", args=[case.pk]),
        now=now,
    )


def announce_report(case: Case, actor: Actor, now: datetime.datetime) -> None:
    """A new case: the office over its area accepts it, or (an inspection's finding, accepted
    on the spot) dispatches it."""
    params = {"n": case.number, "t": case.title, "a": case.area.name}
    if case.status == S.REPORTED:
        title = lazy_format(gettext_lazy("New case %(n)s to accept: %(t)s (%(a)s)"), **params)
        todo = gettext_lazy("Accept it (or reject it with the reason), then dispatch it.")
    else:
        title = lazy_format(gettext_lazy("New case %(n)s to dispatch: %(t)s (%(a)s)"), **params)
        todo = gettext_lazy("Dispatch it to the responsible unit.")
    tell(case, notices.REPORTED.key, title, acceptors(case.area_path), now, actor=actor, todo=todo)


def announce_step(case: Case, action: str, note: str, actor: Actor, now: datetime.datetime) -> None:
    """The notice of one step of the loop (see the table above); accepting tells nobody."""
    n, t, a = case.number, case.title, case.area.name
    deadline = _when(case.deadline)
    rectify = gettext_lazy("Rectify it and upload the after-photos before the deadline.")
    if action in {"dispatch", "resume"}:
        if action == "dispatch":
            title = lazy_format(
                gettext_lazy("Case %(n)s dispatched to you, rectify by %(d)s: %(t)s"),
                n=n,
                d=deadline,
                t=t,
            )
        else:
            title = lazy_format(
                gettext_lazy("Case %(n)s resumed, rectify by %(d)s: %(t)s"), n=n, d=deadline, t=t
            )
        users = unit_contacts(case.unit_id)
        tell(case, notices.DISPATCHED.key, title, users, now, actor=actor, todo=rectify)
    elif action == "rectify":
        title = lazy_format(
            gettext_lazy("Case %(n)s rectified, to verify: %(t)s (%(a)s)"), n=n, t=t, a=a
        )
        verifiers = [*inspectors(case.area_path), *street_officers(case.area_path)]
        todo = gettext_lazy("Check the rectification on site: pass it, or send it back.")
        tell(case, notices.RECTIFIED.key, title, verifiers, now, actor=actor, todo=todo)
    elif action == "verify":
        title = lazy_format(
            gettext_lazy("Case %(n)s verified, to close: %(t)s (%(a)s)"), n=n, t=t, a=a
        )
        todo = gettext_lazy("Close the case.")
        users = street_officers(case.area_path)
        tell(case, notices.VERIFIED.key, title, users, now, actor=actor, todo=todo)
    elif action == "send_back":
        title = lazy_format(
            gettext_lazy("Case %(n)s sent back, rectify again by %(d)s: %(note)s"),
            n=n,
            d=deadline,
            note=note,
        )
        users = unit_contacts(case.unit_id)
        tell(case, notices.SENT_BACK.key, title, users, now, actor=actor, todo=rectify, reason=note)
    elif action == "close":
        title = lazy_format(
            gettext_lazy("Your report %(n)s is closed: the problem was rectified (%(t)s)"),
            n=n,
            t=t,
        )
        tell(case, notices.CLOSED.key, title, reporter(case), now, actor=actor)
    elif action == "reject":
        title = lazy_format(
            gettext_lazy("Your report %(n)s was not accepted: %(note)s (%(t)s)"),
            n=n,
            note=note,
            t=t,
        )
        tell(case, notices.REJECTED.key, title, reporter(case), now, actor=actor, reason=note)
    elif action == "defer":
        title = lazy_format(gettext_lazy("Case %(n)s deferred: %(note)s"), n=n, note=note)
        todo = gettext_lazy("Nothing for now: you will be told when it resumes.")
        users = unit_contacts(case.unit_id)
        tell(case, notices.DEFERRED.key, title, users, now, actor=actor, todo=todo, reason=note)
    elif action == "reopen":
        title = lazy_format(
            gettext_lazy("Case %(n)s reopened, it will be dispatched again: %(note)s"),
            n=n,
            note=note,
        )
        todo = gettext_lazy("Get ready to rectify it again once it is dispatched.")
        users = unit_contacts(case.unit_id)
        tell(case, notices.REOPENED.key, title, users, now, actor=actor, todo=todo, reason=note)


def announce_escalation(case: Case, now: datetime.datetime) -> None:
    """督办: an overdue case, told to its unit and the street's officers (by the system)."""
    title = lazy_format(
        gettext_lazy("Case %(n)s is overdue (deadline %(d)s): %(t)s"),
        n=case.number,
        d=_when(case.deadline),
        t=case.title,
    )
    users = [*unit_contacts(case.unit_id), *street_officers(case.area_path)]
    todo = gettext_lazy("Rectify it now and report it rectified.")
    tell(case, notices.ESCALATED.key, title, users, now, todo=todo)
