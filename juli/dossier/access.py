"""Who may produce which year-end dossier (年终台账).

- A dossier belongs to a **branch** or a **general branch** (党支部, 党总支) and a year: other
  organisations (committees, groups) have none: 404.
- **Produce** (see the page, the PDF, the zip, the API): a post of the branch's own officers
  in the branch itself (secretary, deputy, committee member, organisation officer) or an
  office post over it (an upper organisation's secretary, deputy or officer; a street or
  district officer through its area), or a superuser. Sections read what their producer may
  see.
- A plain **member** sees the branch (it is in their scope) but may not produce its dossier:
  403. A branch outside the user's scope: 404, like an id that does not exist.
- Years from 2000 up to the current year; any other year is a 404.

`produces_dossiers(user)` is the menu's question, from the cached scope (no query).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from juli.orgs.access import one_or_404, prefix_q, scope_of, visible_orgs
from juli.orgs.models import PartyOrg
from juli.orgs.roles import OFFICE_ROLES, Role

#: Posts that produce the dossiers of the branches in their subtree.
PRODUCER_ROLES = OFFICE_ROLES | {Role.ORG_OFFICER, Role.COMMITTEE_MEMBER}
#: The kinds of organisation that have a dossier.
DOSSIER_KINDS = (PartyOrg.Kind.BRANCH, PartyOrg.Kind.GENERAL_BRANCH)
FIRST_YEAR = 2000


def produces_dossiers(user: Any) -> bool:
    """Whether the user holds a post that produces dossiers (the menu; no query)."""
    scope = scope_of(user)
    return scope.superuser or any(
        g.kind == "org" and g.role in PRODUCER_ROLES for g in scope.grants
    )


def dossier_orgs(user: Any) -> QuerySet[PartyOrg]:
    """The branches whose dossiers the user may produce."""
    scope = scope_of(user)
    qs = PartyOrg.objects.filter(kind__in=DOSSIER_KINDS)
    if not scope.superuser:
        qs = qs.filter(prefix_q("path", scope.paths("org", PRODUCER_ROLES)))
    return qs.order_by("path")


def can_produce(user: Any, org: PartyOrg) -> bool:
    scope = scope_of(user)
    if org.kind not in DOSSIER_KINDS:
        return False
    return scope.superuser or scope.covers("org", org.path, PRODUCER_ROLES)


def check_year(year: Any) -> int:
    """The year as an int, or 404 (before 2000, after this year, not a number)."""
    try:
        value = int(year)
    except (TypeError, ValueError) as e:
        raise Http404 from e
    if not FIRST_YEAR <= value <= timezone.localdate().year:
        raise Http404
    return value


def access_dossier_org(user: Any, pk: Any) -> PartyOrg:
    """The branch `pk` whose dossier the user may produce: 404 outside their scope or for an
    organisation that has no dossier, 403 for a branch they see but may not produce."""
    org: PartyOrg = one_or_404(visible_orgs(user), pk)
    if org.kind not in DOSSIER_KINDS:
        raise Http404
    if not can_produce(user, org):
        raise PermissionDenied
    return org


def years() -> list[int]:
    """The years offered by the index page: this year and the five before, latest first."""
    this = timezone.localdate().year
    return list(range(this, max(FIRST_YEAR, this - 5) - 1, -1))
