"""Who sees and does what in observation visits.

- **Organiser**: the office roles (`RUN_ROLES`: district admin, street officer, organisation
  officer, secretary, deputy secretary) over the cycle's organisation run everything: open
  and close the cycle, swap slots, record the visit, finish the scoring, write the feedback,
  give and reopen rectification items. They see every sheet.
- **Scorers**: the secretaries, deputy secretaries and committee members (`SCORER_ROLES`) of
  a visiting branch (a post in that very branch) score the host, one sheet per person. A
  visitor who may not score gets 403 on the sheet.
- **Host**: everyone in the host branch (members included) sees its visit, the scores'
  summary, the feedback and its rectification items; its officers (`HOST_ROLES`) and an
  item's owner close the item with evidence.
- **Visitors**: everyone in a visiting branch sees the visit (and the summary).
- Everyone inside the cycle's organisation sees the cycle's plan (hosts and dates); the
  visits they neither host nor visit are listed without a link.

Outside that: 404 (pages, API, files).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from juli.orgs.access import one_or_404, prefix_q, scope_of
from juli.orgs.models import PartyOrg
from juli.orgs.roles import OFFICE_ROLES, Role

from .models import ObservationCycle, ObservationVisit, Rectification, RectificationFile

RUN_ROLES = OFFICE_ROLES
SCORER_ROLES = frozenset({Role.PARTY_SECRETARY, Role.DEPUTY_SECRETARY, Role.COMMITTEE_MEMBER})
HOST_ROLES = frozenset(
    {Role.PARTY_SECRETARY, Role.DEPUTY_SECRETARY, Role.COMMITTEE_MEMBER, Role.ORG_OFFICER}
)


def _within_q(field: str, paths: list[str]) -> Q:
    """`field` holds the path of an organisation that one of `paths` lies in (the path is a
    prefix of a grant's path): the rows of the branches the user belongs to."""
    prefixes = sorted({p[:n] for p in paths for n in range(4, len(p) + 1, 4)})
    return Q(**{f"{field}__in": prefixes}) if prefixes else Q(pk__in=[])


def _org_paths(user: Any) -> list[str]:
    return [g.path for g in scope_of(user).grants if g.kind == "org"]


def _run_paths(user: Any) -> list[str]:
    return scope_of(user).paths("org", RUN_ROLES)


# --- cycles ----------------------------------------------------------------------------------


def visible_cycles(user: Any) -> QuerySet[ObservationCycle]:
    scope = scope_of(user)
    qs = ObservationCycle.objects.select_related("org")
    if scope.superuser:
        return qs
    paths = _org_paths(user)
    return qs.filter(prefix_q("org_path", scope.paths("org")) | _within_q("org_path", paths))


def can_run_cycle(user: Any, cycle: ObservationCycle) -> bool:
    scope = scope_of(user)
    return scope.superuser or scope.covers("org", cycle.org_path, RUN_ROLES)


def access_cycle(user: Any, pk: Any, *, write: bool = False) -> ObservationCycle:
    cycle = one_or_404(visible_cycles(user), pk)
    if write and not can_run_cycle(user, cycle):
        raise PermissionDenied
    return cycle


def organiser_orgs(user: Any) -> QuerySet[PartyOrg]:
    """The organisations the user may open cycles for (not branches: they host)."""
    scope = scope_of(user)
    qs = PartyOrg.objects.filter(status=PartyOrg.Status.ACTIVE).exclude(
        kind__in=[PartyOrg.Kind.BRANCH, PartyOrg.Kind.GROUP]
    )
    if scope.superuser:
        return qs
    return qs.filter(prefix_q("path", _run_paths(user)))


def shows_observation(user: Any) -> bool:
    """The menu entry (cached scope, no query): anyone in a party organisation."""
    scope = scope_of(user)
    return scope.superuser or bool(scope.paths("org"))


def runs_cycles(user: Any) -> bool:
    scope = scope_of(user)
    return scope.superuser or bool(scope.paths("org", RUN_ROLES))


# --- visits ----------------------------------------------------------------------------------


def visible_visits(user: Any) -> QuerySet[ObservationVisit]:
    """The organiser's visits, the host's own visit, and the visits of its visitors."""
    scope = scope_of(user)
    qs = ObservationVisit.objects.select_related("cycle", "host", "cycle__org")
    if scope.superuser:
        return qs
    paths = _org_paths(user)
    q = prefix_q("cycle__org_path", _run_paths(user)) | _within_q("host_path", paths)
    guests = ObservationVisit.objects.filter(_within_q("guests__org_path", paths)).values("pk")
    return qs.filter(q | Q(pk__in=guests))


def access_visit(user: Any, pk: Any, *, write: bool = False) -> ObservationVisit:
    visit = one_or_404(visible_visits(user), pk)
    if write and not can_run_cycle(user, visit.cycle):
        raise PermissionDenied
    return visit


def scorer_orgs(user: Any, visit: ObservationVisit) -> list[PartyOrg]:
    """The visiting branches of `visit` in which the user holds a scorer's post."""
    scope = scope_of(user)
    mine = {g.path for g in scope.grants if g.kind == "org" and g.role in SCORER_ROLES}
    if not mine:
        return []
    return [v.org for v in visit.guests.select_related("org") if v.org_path in mine]


def scoring_paths(user: Any) -> list[str]:
    """The branches the user scores for (their own posts as secretary or committee)."""
    scope = scope_of(user)
    return sorted({g.path for g in scope.grants if g.kind == "org" and g.role in SCORER_ROLES})


def sees_sheets(user: Any, visit: ObservationVisit) -> bool:
    """Individual sheets: the organiser only (the host reads the summary)."""
    return can_run_cycle(user, visit.cycle)


# --- rectifications --------------------------------------------------------------------------


def visible_rectifications(user: Any) -> QuerySet[Rectification]:
    scope = scope_of(user)
    qs = Rectification.objects.select_related("visit", "visit__cycle", "host", "owner")
    if scope.superuser:
        return qs
    q = prefix_q("visit__cycle__org_path", _run_paths(user)) | _within_q(
        "host_path", _org_paths(user)
    )
    if scope.person_id:
        q |= Q(owner_id=scope.person_id)
    return qs.filter(q)


def can_close(user: Any, item: Rectification) -> bool:
    """The host's officers (a post in the host branch itself) and the item's owner."""
    scope = scope_of(user)
    if scope.superuser:
        return True
    if scope.person_id and scope.person_id == item.owner_id:
        return True
    return any(
        g.kind == "org" and g.role in HOST_ROLES and g.path == item.host_path for g in scope.grants
    )


def can_reopen(user: Any, item: Rectification) -> bool:
    return can_run_cycle(user, item.visit.cycle)


def access_rectification(user: Any, pk: Any) -> Rectification:
    return one_or_404(visible_rectifications(user), pk)


def access_evidence_file(user: Any, pk: Any) -> RectificationFile:
    qs = RectificationFile.objects.select_related("rectification").filter(
        rectification__in=visible_rectifications(user).values("pk")
    )
    return one_or_404(qs, pk)
