"""Who may read and write daily bulletins.

- **Read**: office roles (`orgs.roles.OFFICE_ROLES`) read the bulletins of the streets and
  districts in their area subtree: a street officer their street's, a district admin the
  district's and its streets'. Everyone else sees none (pages answer 404).
- **Write** (generate, regenerate, notes, publish): the case-loop office roles
  (district admin, street officer) over the bulletin's area.
- **Settings**: district admins over the district.
- The superuser sees and does everything.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from juli.cases.models import CASE_OFFICE_ROLES
from juli.orgs.access import one_or_404, prefix_q, scope_of
from juli.orgs.models import Area
from juli.orgs.roles import OFFICE_ROLES, Role

from .models import BULLETIN_AREA_KINDS, Bulletin


def _paths(user: Any, roles: frozenset[str]) -> list[str]:
    return scope_of(user).paths("area", roles)


def visible_bulletin_areas(user: Any) -> QuerySet[Area]:
    """Streets and districts whose bulletins the user reads, in tree order."""
    qs = Area.objects.filter(kind__in=BULLETIN_AREA_KINDS).order_by("path")
    if scope_of(user).superuser:
        return qs
    return qs.filter(prefix_q("path", _paths(user, OFFICE_ROLES)))


def visible_bulletins(user: Any) -> QuerySet[Bulletin]:
    qs = Bulletin.objects.all()
    if scope_of(user).superuser:
        return qs
    return qs.filter(prefix_q("area_path", _paths(user, OFFICE_ROLES)))


def can_write(user: Any, area: Area) -> bool:
    scope = scope_of(user)
    return scope.superuser or scope.covers("area", area.path, CASE_OFFICE_ROLES)


def can_configure(user: Any, district: Area) -> bool:
    scope = scope_of(user)
    if district.kind != Area.Kind.DISTRICT:
        return False
    return scope.superuser or scope.covers("area", district.path, {Role.DISTRICT_ADMIN})


def configurable_districts(user: Any) -> QuerySet[Area]:
    qs = Area.objects.filter(kind=Area.Kind.DISTRICT, is_active=True).order_by("path")
    if scope_of(user).superuser:
        return qs
    return qs.filter(prefix_q("path", _paths(user, frozenset({Role.DISTRICT_ADMIN}))))


MAX_ID = 2**63 - 1


def _id(pk: Any) -> Any:
    """A path or form id a database can hold; anything else is as unknown as a missing id."""
    try:
        value = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < value <= MAX_ID:
        raise Http404
    return value


def access_bulletin_area(user: Any, pk: Any, *, write: bool = False) -> Area:
    pk = _id(pk)
    area: Area = one_or_404(visible_bulletin_areas(user), pk)
    if write and not can_write(user, area):
        raise PermissionDenied
    return area


def access_bulletin(user: Any, pk: Any, *, write: bool = False) -> Bulletin:
    pk = _id(pk)
    bulletin: Bulletin = one_or_404(
        visible_bulletins(user).select_related("area", "published_by__person"), pk
    )
    if write and not can_write(user, bulletin.area):
        raise PermissionDenied
    return bulletin
