"""Who sees and does what with honours.

- **Kinds and calls** are read by everyone whose grants lie inside the conferring
  organisation's subtree (or above it); the office roles over the conferring organisation
  (`RUN_ROLES`) create kinds, open calls, review, confer, publish and revoke.
- **Nominating**: the office roles of a nominating organisation (a post in it or above),
  for an organisation the kind allows (`nominators`, or any in the conferring subtree when
  none are listed). A nominator not allowed answers 403.
- **Nominations** are read by the call's runners and by the nominating organisation's
  officers (their own), never by the nominees before publication.
- **Honours**: published ones by everyone inside the conferring subtree; all of them (also
  before publication) by the call's runners and by the holder's own organisation.

Outside what one sees: 404.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from juli.orgs.access import one_or_404, prefix_q, scope_of
from juli.orgs.models import PartyOrg
from juli.orgs.roles import OFFICE_ROLES

from .models import Honour, HonourCall, HonourKind, Nomination

#: Roles that run honours over their organisation's subtree, and nominate for it.
RUN_ROLES = OFFICE_ROLES


def _inside_q(field: str, paths: list[str]) -> Q:
    """`field` (an ancestor's path) is a prefix of one of `paths`."""
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(**{f"{field}__in": [p[:n] for n in range(4, len(p) + 1, 4)]})
    return q


def _related_q(field: str, paths: list[str]) -> Q:
    return prefix_q(field, paths) | _inside_q(field, paths)


# --- kinds and calls -------------------------------------------------------------------------


def visible_kinds(user: Any) -> QuerySet[HonourKind]:
    scope = scope_of(user)
    qs = HonourKind.objects.select_related("org")
    if scope.superuser:
        return qs
    return qs.filter(_related_q("org_path", scope.paths("org")))


def can_run(user: Any, org_path: str) -> bool:
    scope = scope_of(user)
    return scope.superuser or scope.covers("org", org_path, RUN_ROLES)


def conferring_orgs(user: Any) -> QuerySet[PartyOrg]:
    """The organisations the user may create honour kinds for."""
    scope = scope_of(user)
    qs = PartyOrg.objects.filter(status=PartyOrg.Status.ACTIVE).exclude(kind=PartyOrg.Kind.GROUP)
    if scope.superuser:
        return qs
    return qs.filter(prefix_q("path", scope.paths("org", RUN_ROLES)))


def access_kind(user: Any, pk: Any, *, write: bool = False) -> HonourKind:
    kind = one_or_404(visible_kinds(user), pk)
    if write and not can_run(user, kind.org_path):
        raise PermissionDenied
    return kind


def visible_calls(user: Any) -> QuerySet[HonourCall]:
    scope = scope_of(user)
    qs = HonourCall.objects.select_related("kind", "kind__org")
    if scope.superuser:
        return qs
    return qs.filter(_related_q("org_path", scope.paths("org")))


def access_call(user: Any, pk: Any, *, write: bool = False) -> HonourCall:
    call = one_or_404(visible_calls(user), pk)
    if write and not can_run(user, call.org_path):
        raise PermissionDenied
    return call


def nominating_orgs(user: Any, kind: HonourKind) -> QuerySet[PartyOrg]:
    """The organisations the user may nominate for in a call of `kind`."""
    scope = scope_of(user)
    qs = PartyOrg.objects.filter(
        status=PartyOrg.Status.ACTIVE, path__startswith=kind.org_path
    ).exclude(kind=PartyOrg.Kind.GROUP)
    listed = list(kind.nominators.values_list("pk", flat=True))
    if listed:
        qs = qs.filter(pk__in=listed)
    if scope.superuser:
        return qs
    return qs.filter(prefix_q("path", scope.paths("org", RUN_ROLES)))


def may_nominate_for(user: Any, kind: HonourKind, org: PartyOrg) -> bool:
    return nominating_orgs(user, kind).filter(pk=org.pk).exists()


def nominates_anywhere(user: Any) -> bool:
    """From the cached scope (no query): holds a run role somewhere."""
    scope = scope_of(user)
    return scope.superuser or bool(scope.paths("org", RUN_ROLES))


# --- nominations -----------------------------------------------------------------------------


def visible_nominations(user: Any) -> QuerySet[Nomination]:
    scope = scope_of(user)
    qs = Nomination.objects.select_related("call", "call__kind", "nominator", "assessment")
    if scope.superuser:
        return qs
    paths = scope.paths("org", RUN_ROLES)
    return qs.filter(prefix_q("call__org_path", paths) | prefix_q("nominator_path", paths))


def can_withdraw(user: Any, nomination: Nomination) -> bool:
    scope = scope_of(user)
    return scope.superuser or scope.covers("org", nomination.nominator_path, RUN_ROLES)


def access_nomination(user: Any, pk: Any) -> Nomination:
    return one_or_404(visible_nominations(user), pk)


# --- honours ---------------------------------------------------------------------------------


def visible_honours(user: Any) -> QuerySet[Honour]:
    scope = scope_of(user)
    qs = Honour.objects.select_related("call", "call__kind", "call__kind__org", "org", "person")
    if scope.superuser:
        return qs
    paths = scope.paths("org")
    published = Q(status=Honour.Status.PUBLISHED) & _inside_q("call__org_path", paths)
    runners = prefix_q("call__org_path", scope.paths("org", RUN_ROLES))
    holders = prefix_q("holder_path", paths)
    return qs.filter(published | runners | holders)


def access_honour(user: Any, pk: Any, *, write: bool = False) -> Honour:
    honour = one_or_404(visible_honours(user), pk)
    if write and not can_run(user, honour.call.org_path):
        raise PermissionDenied
    return honour


def shows_honours(user: Any) -> bool:
    """The menu entry (from the cached scope, no query): anyone in a party organisation."""
    scope = scope_of(user)
    return scope.superuser or bool(scope.paths("org"))
