"""Who may read and change duty lists, and whose chain of responsibility they may see.

- *Reading a list*: a list applies to its owner's whole subtree, so it is visible to anyone
  with a grant (a post, or membership) in the owner's subtree *or* above the owner. A branch
  member reads the bureau's list that binds them; a sibling bureau's list stays a 404.
- *Changing a list* (`can_manage_list`): the party-building managers of the owner: a manager
  role (district admin, street officer, party-building officer, secretary) over the owner,
  and the owner is a top organisation (depth 1) or the manager sits strictly above it. So the
  bureau party group's secretary or the district admin write the bureau's list; a branch
  secretary cannot rewrite the duties the bureau gave the branch.
- *The chain of responsibility* of an organisation (`access_chain_org`): officers over it
  (office roles, committee members, group leaders) see it and everything below; a plain
  member, a sibling or an outsider gets a 404.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from juli.orgs import access as org_access
from juli.orgs.access import one_or_404, prefix_q, scope_of
from juli.orgs.models import PartyOrg
from juli.orgs.roles import MANAGER_ROLES, OFFICE_ROLES, ORG_ROLES, Role

from .models import Duty, DutyList, DutyPost, LeaderDesignation

#: Roles that see the chain of responsibility of their organisation's subtree.
CHAIN_ROLES = OFFICE_ROLES | {Role.COMMITTEE_MEMBER, Role.GROUP_LEADER}

STEP = PartyOrg.steplen


def ancestors_of(path: str) -> list[str]:
    """Every materialised path from the root down to `path` itself."""
    return [path[:i] for i in range(STEP, len(path) + 1, STEP)]


def visible_lists(user: Any) -> QuerySet[DutyList]:
    """Lists that bind the user's organisations (owned above them) or lie in their subtree."""
    scope = scope_of(user)
    qs = DutyList.objects.select_related("owner")
    if scope.superuser:
        return qs
    paths = scope.paths("org")
    above = sorted({a for p in paths for a in ancestors_of(p)})
    return qs.filter(Q(owner__path__in=above) | prefix_q("owner__path", paths))


def can_manage_list_owner(user: Any, owner: PartyOrg) -> bool:
    scope = scope_of(user)
    if scope.superuser:
        return True
    if not org_access.can_manage_org(user, owner):
        return False
    return owner.depth == 1 or org_access.can_manage_org(user, owner, strict=True)


def can_manage_list(user: Any, duty_list: DutyList) -> bool:
    return can_manage_list_owner(user, duty_list.owner)


def access_list(user: Any, pk: Any, *, write: bool = False) -> DutyList:
    duty_list: DutyList = one_or_404(visible_lists(user), pk)
    if write and not can_manage_list(user, duty_list):
        raise PermissionDenied
    return duty_list


def access_duty_post(user: Any, pk: Any, *, write: bool = False) -> DutyPost:
    post: DutyPost = one_or_404(
        DutyPost.objects.filter(duty_list__in=visible_lists(user)).select_related(
            "duty_list__owner"
        ),
        pk,
    )
    if write and not can_manage_list(user, post.duty_list):
        raise PermissionDenied
    return post


def access_duty(user: Any, pk: Any, *, write: bool = False) -> Duty:
    duty: Duty = one_or_404(
        Duty.objects.filter(duty_post__duty_list__in=visible_lists(user)).select_related(
            "duty_post__duty_list__owner"
        ),
        pk,
    )
    if write and not can_manage_list(user, duty.duty_post.duty_list):
        raise PermissionDenied
    return duty


def list_owner_choices(user: Any) -> QuerySet[PartyOrg]:
    """Active organisations the user may issue lists for: the tops of their manager grants
    (when those are top organisations) and the organisations directly below them."""
    scope = scope_of(user)
    active = PartyOrg.objects.filter(status=PartyOrg.Status.ACTIVE)
    if scope.superuser:
        return active.filter(depth=1).order_by("path")
    paths = scope.paths("org", MANAGER_ROLES)
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(path=p, depth=1) | Q(path__startswith=p, depth=len(p) // STEP + 1)
    candidates = active.filter(q).select_related("area").order_by("path")
    return active.filter(
        pk__in=[o.pk for o in candidates if can_manage_list_owner(user, o)]
    ).order_by("path")


def chain_paths(user: Any) -> list[str]:
    """The outermost organisation paths whose chain the user may see."""
    scope = scope_of(user)
    return scope.paths("org", CHAIN_ROLES)


def can_see_chain(user: Any, org: PartyOrg) -> bool:
    scope = scope_of(user)
    return scope.superuser or scope.covers("org", org.path, CHAIN_ROLES)


def access_chain_org(user: Any, pk: Any) -> PartyOrg:
    org: PartyOrg = one_or_404(org_access.visible_orgs(user), pk)
    if not can_see_chain(user, org):
        raise Http404
    return org


def shows_my_duties(user: Any) -> bool:
    """Whether "My duties" is in the user's menu: for those the page has something for. Duties
    come from posts in party organisations and from party membership, and officers over
    organisations oversee their chains; a field post alone (inspector, grid worker, unit
    staff) gives neither, so it would only ever show an empty page. From the cached scope, no
    query (a business-leader designation alone is not in the scope: such a leader reaches the
    page from the duties card beside their posts)."""
    scope = scope_of(user)
    return scope.superuser or any(
        g.kind == "org" and (g.role in ORG_ROLES or g.role in CHAIN_ROLES) for g in scope.grants
    )


def chain_roots(user: Any) -> QuerySet[PartyOrg]:
    """The organisations at the top of the chains the user may open (superuser: the roots)."""
    scope = scope_of(user)
    qs = PartyOrg.objects.filter(status=PartyOrg.Status.ACTIVE).order_by("path")
    if scope.superuser:
        return qs.filter(depth=1)
    return qs.filter(path__in=chain_paths(user))


def can_manage_designations(user: Any, org: PartyOrg) -> bool:
    """Business leaders of an organisation are recorded by its managers."""
    return org_access.can_manage_org(user, org)


def visible_designations(user: Any) -> QuerySet[LeaderDesignation]:
    scope = scope_of(user)
    qs = LeaderDesignation.objects.select_related("person", "org")
    if scope.superuser:
        return qs
    q = prefix_q("org__path", scope.paths("org", CHAIN_ROLES))
    if scope.person_id:
        q |= Q(person_id=scope.person_id)
    return qs.filter(q)


def access_designation(user: Any, pk: Any, *, write: bool = False) -> LeaderDesignation:
    designation: LeaderDesignation = one_or_404(visible_designations(user), pk)
    if write and not can_manage_designations(user, designation.org):
        raise PermissionDenied
    return designation
