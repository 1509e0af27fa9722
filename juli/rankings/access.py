"""Who sees and changes which ranking.

- Read: district administrators, street officers and party-building office officers whose
  area post lies in the district (or covers it from above) read the district's PUBLISHED
  rankings, every row: a weekly ranking is announced to all streets, that is its point
  ("抓两头带中间"). Computed-but-unpublished rankings are drafts: managers only.
- Manage (settings, compute, publish, read drafts): district administrators whose post
  covers the district, and superusers.
- The figures link to the case list only where the reader's case scope covers the row
  (their own street and its communities for a street officer; everything for a district
  administrator), so a link never leads to an empty list of cases they cannot see.
- Anyone else: 404 for every ranking page and id, an empty API list.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from juli.orgs.access import one_or_404, scope_of
from juli.orgs.models import Area
from juli.orgs.roles import Role

from .models import Ranking, RankingRow

READER_ROLES = frozenset({Role.DISTRICT_ADMIN, Role.STREET_OFFICER, Role.ORG_OFFICER})
MANAGER_ROLES = frozenset({Role.DISTRICT_ADMIN})


def _ancestors(path: str) -> list[str]:
    return [path[:k] for k in range(4, len(path) + 1, 4)]


def _district_q(user: Any, roles: frozenset[str], field: str) -> Q:
    """Districts (by the path `field`) that lie under or above one of the user's posts."""
    q = Q(pk__in=[])
    for p in scope_of(user).paths("area", roles):
        q |= Q(**{f"{field}__startswith": p}) | Q(**{f"{field}__in": _ancestors(p)})
    return q


def visible_districts(user: Any) -> QuerySet[Area]:
    districts = Area.objects.filter(kind=Area.Kind.DISTRICT, is_active=True)
    if scope_of(user).superuser:
        return districts
    return districts.filter(_district_q(user, READER_ROLES, "path"))


def can_manage(user: Any, district: Area) -> bool:
    scope = scope_of(user)
    return scope.superuser or scope.covers("area", district.path, MANAGER_ROLES)


def can_read(user: Any, district: Area) -> bool:
    return visible_districts(user).filter(pk=district.pk).exists()


def access_district(user: Any, pk: Any, *, manage: bool = False) -> Area:
    district = one_or_404(visible_districts(user), pk)
    if manage and not can_manage(user, district):
        raise Http404
    return district


def visible_rankings(user: Any) -> QuerySet[Ranking]:
    """Published rankings of the districts the user reads, plus drafts of those they manage."""
    scope = scope_of(user)
    qs = Ranking.objects.select_related("district", "published_by")
    if scope.superuser:
        return qs
    published = _district_q(user, READER_ROLES, "district__path") & Q(
        status=Ranking.Status.PUBLISHED
    )
    managed = Q(pk__in=[])
    for p in scope.paths("area", MANAGER_ROLES):
        managed |= Q(district__path__startswith=p)
    return qs.filter(published | managed)


def access_ranking(user: Any, pk: Any) -> Ranking:
    return one_or_404(visible_rankings(user), pk)


def links_for(user: Any, district: Area) -> dict[str, Any]:
    """What the user's case list can show: {"all": bool, "paths": [...]} for row links."""
    scope = scope_of(user)
    office = frozenset({Role.DISTRICT_ADMIN, Role.STREET_OFFICER})
    if scope.superuser or scope.covers("area", district.path, office):
        return {"all": True, "paths": []}
    return {"all": False, "paths": scope.paths("area", office)}


def row_linkable(links: dict[str, Any], row: RankingRow) -> bool:
    if links["all"]:
        return True
    return bool(row.subject_path) and any(row.subject_path.startswith(p) for p in links["paths"])


def shows_rankings(user: Any) -> bool:
    """Whether the main menu offers the weekly ranking (no query beyond the cached scope)."""
    scope = scope_of(user)
    return scope.superuser or bool(
        {g.role for g in scope.grants if g.kind == "area"} & READER_ROLES
    )
