"""Who may see and change what. Every page, endpoint, export and admin screen asks here.

A user's rights are the union of their current posts. Each post grants its role over one
subtree: of the party tree (an organisation's `path`), of the territorial tree (an area's
`path`) or one unit. An organisation post whose organisation is attached to an area also
grants that area's subtree (a street working committee sees its street). Being a member of
a branch grants the branch-member role over that branch.

`visible_*` return querysets filtered by indexed path prefixes; `access_*` return one object
or raise Http404, so that an id outside the user's scope is indistinguishable from one that
does not exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Concat
from django.http import Http404, HttpRequest
from django.utils import timezone

from juli.core.models import AuditLog

from .models import Area, PartyOrg, Person, Post, Unit, User
from .roles import MANAGER_ROLES, OFFICE_ROLES, PHONE_ROLES, Role


@dataclass(frozen=True)
class Grant:
    role: str
    kind: str  # "org" | "area" | "unit"
    path: str = ""
    unit_id: int | None = None


@dataclass
class Scope:
    superuser: bool = False
    person_id: int | None = None
    grants: list[Grant] = field(default_factory=list)

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(g.role for g in self.grants)

    def paths(self, kind: str, roles: Iterable[str] | None = None) -> list[str]:
        wanted = None if roles is None else set(roles)
        found = {
            g.path for g in self.grants if g.kind == kind and (wanted is None or g.role in wanted)
        }
        return _outermost(found)

    def unit_ids(self, roles: Iterable[str] | None = None) -> list[int]:
        wanted = None if roles is None else set(roles)
        return sorted(
            {
                g.unit_id
                for g in self.grants
                if g.kind == "unit" and g.unit_id and (wanted is None or g.role in wanted)
            }
        )

    def covers(self, kind: str, path: str, roles: Iterable[str] | None = None) -> bool:
        return bool(path) and any(path.startswith(p) for p in self.paths(kind, roles))


def _outermost(paths: Iterable[str]) -> list[str]:
    """Drop paths that lie inside another path of the set: fewer ORs, same rows."""
    out: list[str] = []
    for p in sorted(paths, key=len):
        if p and not any(p.startswith(o) for o in out):
            out.append(p)
    return sorted(out)


def prefix_q(field_name: str, paths: list[str]) -> Q:
    """Rows whose `field_name` starts with any of `paths`: the subtree filter every app uses."""
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(**{f"{field_name}__startswith": p})
    return q


def scope_of(user: Any) -> Scope:
    """The user's grants, computed once per request and cached on the user: one query for
    the posts, one for the organisations attached to their areas (area posts only), and the
    membership, which comes joined to the user on requests (`_membership_path`)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope()
    cached = getattr(user, "_juli_scope", None)
    if cached is not None:
        return cached
    scope = Scope(superuser=user.is_superuser, person_id=user.person_id)
    if user.person_id:
        today = timezone.localdate()
        # Plain rows, not posts with their organisation and areas: every request runs this,
        # and building four model instances per post cost more than the query.
        posts = (
            Post.objects.filter(person_id=user.person_id, started_on__lte=today)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
            .order_by("started_on", "pk")
            .values_list(
                "role",
                "org__path",
                "org__status",
                "org__area__path",
                "area__path",
                "area__is_active",
                "unit_id",
            )
        )
        active = PartyOrg.Status.ACTIVE
        for role, org_path, org_status, org_area_path, area_path, area_active, unit_id in posts:
            if org_path is not None and org_status == active:
                scope.grants.append(Grant(role, "org", org_path))
                if org_area_path is not None:
                    scope.grants.append(Grant(role, "area", org_area_path))
            elif area_path is not None and area_active:
                scope.grants.append(Grant(role, "area", area_path))
            elif unit_id:
                scope.grants.append(Grant(role, "unit", unit_id=unit_id))
        _add_org_grants_of_areas(scope)
        membership = _membership_path(user)
        if membership:
            scope.grants.append(Grant(Role.BRANCH_MEMBER, "org", membership))
    user._juli_scope = scope
    return scope


def _membership_path(user: Any) -> str | None:
    """The path of the active party organisation the user's person belongs to. Requests
    load the user with the person and the organisation joined (`juli.orgs.auth`,
    `juli.api.authentication`): then no query."""
    if User.person.is_cached(user):
        person = user.person
        if person is not None and Person.party_org.is_cached(person):
            org = person.party_org
            return org.path if org is not None and org.is_active else None
    return (
        PartyOrg.objects.filter(members__pk=user.person_id, status=PartyOrg.Status.ACTIVE)
        .values_list("path", flat=True)
        .first()
    )


def _add_org_grants_of_areas(scope: Scope) -> None:
    """An area post also covers the party organisations attached to areas in its subtree
    (a street officer manages the street working committee and what hangs below it).

    Turning those into org grants keeps every later filter a path prefix on one table.
    """
    area_grants = [g for g in scope.grants if g.kind == "area"]
    if not area_grants:
        return
    attached = PartyOrg.objects.filter(
        prefix_q("area__path", _outermost(g.path for g in area_grants))
    ).values_list("path", "area__path")
    extra = {
        Grant(g.role, "org", org_path)
        for org_path, area_path in attached
        for g in area_grants
        if area_path.startswith(g.path)
    }
    scope.grants.extend(sorted(extra, key=lambda g: (g.role, g.path)))


def roles_of(user: Any) -> frozenset[str]:
    return scope_of(user).roles


def is_office(user: Any) -> bool:
    scope = scope_of(user)
    return scope.superuser or bool(scope.roles & OFFICE_ROLES)


def is_district_admin(user: Any) -> bool:
    scope = scope_of(user)
    return scope.superuser or Role.DISTRICT_ADMIN in scope.roles


# --- Read side: visible_* ------------------------------------------------------------------


def visible_orgs(user: Any) -> QuerySet[PartyOrg]:
    scope = scope_of(user)
    qs = PartyOrg.objects.all()
    if scope.superuser:
        return qs
    return qs.filter(prefix_q("path", scope.paths("org")))


def visible_areas(user: Any) -> QuerySet[Area]:
    scope = scope_of(user)
    if scope.superuser:
        return Area.objects.all()
    return Area.objects.filter(prefix_q("path", scope.paths("area")))


def visible_units(user: Any) -> QuerySet[Unit]:
    scope = scope_of(user)
    if scope.superuser:
        return Unit.objects.all()
    org_owned = PartyOrg.objects.filter(
        prefix_q("path", scope.paths("org")), unit__isnull=False
    ).values("unit_id")
    return Unit.objects.filter(
        prefix_q("area__path", scope.paths("area"))
        | Q(pk__in=scope.unit_ids())
        | Q(pk__in=org_owned)
    )


def visible_people(user: Any, *, walk_by_name: bool = False) -> QuerySet[Person]:
    """The people the user may see.

    `walk_by_name` is for pages ordered by (name, id) with a LIMIT: on SQLite the planner
    would otherwise take the path index, then sort every person in a wide scope (a street's
    100k residents) before returning 50. Filtering on an unindexable copy of the paths makes
    it walk `person_name_id_idx` and stop after one page instead; PostgreSQL plans this
    well by itself.
    """
    scope = scope_of(user)
    if scope.superuser:
        return Person.objects.all()
    qs = Person.objects.all()
    org_field, area_field = "org_path", "area_path"
    if walk_by_name and connection.vendor == "sqlite":
        qs = qs.alias(
            _org_path=Concat("org_path", Value("")), _area_path=Concat("area_path", Value(""))
        )
        org_field, area_field = "_org_path", "_area_path"
    q = (
        prefix_q(org_field, scope.paths("org"))
        | prefix_q(area_field, scope.paths("area"))
        | Q(unit_id__in=scope.unit_ids())
    )
    if scope.person_id:
        q |= Q(pk=scope.person_id)
    return qs.filter(q)


def visible_posts(user: Any) -> QuerySet[Post]:
    scope = scope_of(user)
    if scope.superuser:
        return Post.objects.all()
    q = (
        prefix_q("org__path", scope.paths("org"))
        | prefix_q("area__path", scope.paths("area"))
        | Q(unit_id__in=scope.unit_ids())
    )
    if scope.person_id:
        q |= Q(person_id=scope.person_id)
    return Post.objects.filter(q)


def visible_audit(user: Any) -> QuerySet[AuditLog]:
    """Office roles read the log of what they can see; everyone else reads nothing."""
    scope = scope_of(user)
    if scope.superuser:
        return AuditLog.objects.all()
    org_paths = scope.paths("org", OFFICE_ROLES)
    area_paths = scope.paths("area", OFFICE_ROLES)
    if not org_paths and not area_paths:
        return AuditLog.objects.none()
    return AuditLog.objects.filter(
        (Q(scope_kind="org") & prefix_q("scope_path", org_paths))
        | (Q(scope_kind="area") & prefix_q("scope_path", area_paths))
    )


# --- One object: access_* ------------------------------------------------------------------


def one_or_404(qs: QuerySet[Any], pk: Any) -> Any:
    """The row `pk` of an already scoped queryset, or Http404 (a malformed id included)."""
    try:
        obj = qs.filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        obj = None
    if obj is None:
        raise Http404
    return obj


def access_org(user: Any, pk: Any, *, write: bool = False) -> PartyOrg:
    org: PartyOrg = one_or_404(visible_orgs(user), pk)
    if write and not can_manage_org(user, org):
        raise PermissionDenied
    return org


def access_area(user: Any, pk: Any, *, write: bool = False) -> Area:
    area: Area = one_or_404(visible_areas(user), pk)
    if write and not can_manage_area(user, area):
        raise PermissionDenied
    return area


def access_unit(user: Any, pk: Any, *, write: bool = False) -> Unit:
    unit: Unit = one_or_404(visible_units(user), pk)
    if write and not can_manage_unit(user, unit):
        raise PermissionDenied
    return unit


def access_person(user: Any, pk: Any, *, write: bool = False) -> Person:
    person: Person = one_or_404(
        visible_people(user).select_related("party_org", "area", "unit"), pk
    )
    if write and not can_manage_person(user, person):
        raise PermissionDenied
    return person


def access_post(user: Any, pk: Any, *, write: bool = False) -> Post:
    post: Post = one_or_404(visible_posts(user).select_related("person", "org", "area", "unit"), pk)
    if write and not can_manage_post(user, post):
        raise PermissionDenied
    return post


# --- Write rights ------------------------------------------------------------------------------


def can_manage_org(user: Any, org: PartyOrg, *, strict: bool = False) -> bool:
    """May the user change `org` (strict: only from above, e.g. to move or retire it)?"""
    scope = scope_of(user)
    if scope.superuser:
        return True
    for p in scope.paths("org", MANAGER_ROLES):
        if org.path.startswith(p) and (not strict or org.path != p):
            return True
    area_path = org.area.path if org.area_id and org.area else ""
    return bool(area_path) and any(
        area_path.startswith(p) and (not strict or area_path != p)
        for p in scope.paths("area", {Role.DISTRICT_ADMIN, Role.STREET_OFFICER})
    )


def can_manage_area(user: Any, area: Area, *, strict: bool = False) -> bool:
    scope = scope_of(user)
    if scope.superuser:
        return True
    return any(
        area.path.startswith(p) and (not strict or area.path != p)
        for p in scope.paths("area", {Role.DISTRICT_ADMIN, Role.STREET_OFFICER})
    )


def can_manage_unit(user: Any, unit: Unit) -> bool:
    scope = scope_of(user)
    if scope.superuser:
        return True
    area_path = unit.area.path if unit.area_id and unit.area else ""
    return scope.covers("area", area_path, {Role.DISTRICT_ADMIN, Role.STREET_OFFICER})


def can_manage_person(user: Any, person: Person) -> bool:
    scope = scope_of(user)
    if scope.superuser:
        return True
    return scope.covers("org", person.org_path, MANAGER_ROLES) or scope.covers(
        "area", person.area_path, MANAGER_ROLES
    )


def can_manage_post(user: Any, post: Post) -> bool:
    if post.org_id and post.org:
        return can_manage_org(user, post.org)
    if post.area_id and post.area:
        return can_manage_area(user, post.area)
    if post.unit_id and post.unit:
        return can_manage_unit(user, post.unit)
    return False


def can_see_phone(user: Any, person: Person) -> bool:
    """Full numbers for roles whose work is contacting people in their scope; masked else."""
    scope = scope_of(user)
    if scope.superuser or (scope.person_id and scope.person_id == person.pk):
        return True
    return (
        scope.covers("org", person.org_path, PHONE_ROLES)
        or scope.covers("area", person.area_path, PHONE_ROLES)
        or (person.unit_id in scope.unit_ids() and bool(scope.roles & OFFICE_ROLES))
    )


def phone_for(user: Any, person: Person) -> str:
    if not person.phone:
        return ""
    return person.phone if can_see_phone(user, person) else person.masked_phone


def can_use_admin(user: Any) -> bool:
    return bool(getattr(user, "is_active", False)) and is_district_admin(user)


class SignedInRequest(HttpRequest):
    """The request a view behind `login_required` gets, for the type checker: its user is
    signed in, so it can be passed as the actor of a write (`juli.core.types.Actor`)."""

    user: User


def require_login_user(user: Any) -> User:
    if not getattr(user, "is_authenticated", False):
        raise Http404
    return user  # type: ignore[no-any-return]
