"""Who sees and does what in branch rating.

- **Standards**: the office roles of the issuing organisation (and above) write them; anyone
  whose grants cover the issuing organisation or lie inside its subtree reads them (a branch
  reads the standard it is rated against).
- **Rounds**: the office roles over the round's organisation run it (open, review,
  publicity, publish, star changes). A round is seen by those who run it and by everyone
  inside its subtree (the branches rated in it and their members).
- **Assessments**: the branch's own officers (secretary, deputy, committee members,
  organisation officer, with a post in the branch itself) fill and submit the
  self-assessment; its members read it. Reviewers read their subtree's. Once the round is on
  public notice or published, everyone inside the round's subtree reads every assessment of
  it that is on notice or published, and may object during the notice.
- **Reviewing** needs a review role over the branch and no tie to it: a reviewer whose
  membership or any post lies in the branch (its path or below) cannot review it (403).

Outside what one sees: 404.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from juli.orgs.access import one_or_404, prefix_q, scope_of
from juli.orgs.models import PartyOrg
from juli.orgs.roles import OFFICE_ROLES, Role

from .models import Assessment, RatingRound, RatingStandard

#: Roles that write standards and run rounds over their organisation's subtree.
RUN_ROLES = OFFICE_ROLES
#: Roles of a branch's own officers, who fill its self-assessment.
SELF_ROLES = frozenset(
    {Role.PARTY_SECRETARY, Role.DEPUTY_SECRETARY, Role.COMMITTEE_MEMBER, Role.ORG_OFFICER}
)
PUBLIC_STATES = (Assessment.Status.PUBLICITY, Assessment.Status.PUBLISHED)


def _inside_q(field: str, paths: list[str]) -> Q:
    """`field` (an ancestor's path) is a prefix of one of `paths`: the rows whose subtree
    holds one of the user's grants."""
    q = Q(pk__in=[])
    for p in paths:
        prefixes = [p[:n] for n in range(4, len(p) + 1, 4)]
        q |= Q(**{f"{field}__in": prefixes})
    return q


# --- standards ----------------------------------------------------------------------------------


def visible_standards(user: Any) -> QuerySet[RatingStandard]:
    scope = scope_of(user)
    qs = RatingStandard.objects.select_related("org")
    if scope.superuser:
        return qs
    paths = scope.paths("org")
    return qs.filter(prefix_q("org_path", paths) | _inside_q("org_path", paths))


def can_write_standards(user: Any, org: PartyOrg) -> bool:
    scope = scope_of(user)
    return scope.superuser or scope.covers("org", org.path, RUN_ROLES)


def standard_orgs(user: Any) -> QuerySet[PartyOrg]:
    """The organisations the user may issue standards for and open rounds of."""
    scope = scope_of(user)
    qs = PartyOrg.objects.filter(status=PartyOrg.Status.ACTIVE).exclude(kind=PartyOrg.Kind.GROUP)
    if scope.superuser:
        return qs
    return qs.filter(prefix_q("path", scope.paths("org", RUN_ROLES)))


def access_standard(user: Any, pk: Any, *, write: bool = False) -> RatingStandard:
    standard = one_or_404(visible_standards(user), pk)
    if write and not can_write_standards(user, standard.org):
        raise PermissionDenied
    return standard


# --- rounds -------------------------------------------------------------------------------------


def visible_rounds(user: Any) -> QuerySet[RatingRound]:
    scope = scope_of(user)
    qs = RatingRound.objects.select_related("org", "standard")
    if scope.superuser:
        return qs
    paths = scope.paths("org")
    return qs.filter(prefix_q("org_path", paths) | _inside_q("org_path", paths))


def can_run_round(user: Any, round_: RatingRound) -> bool:
    scope = scope_of(user)
    return scope.superuser or scope.covers("org", round_.org_path, RUN_ROLES)


def access_round(user: Any, pk: Any, *, write: bool = False) -> RatingRound:
    round_ = one_or_404(visible_rounds(user), pk)
    if write and not can_run_round(user, round_):
        raise PermissionDenied
    return round_


def shows_rating(user: Any) -> bool:
    """The menu entry (from the cached scope, no query): anyone in a party organisation."""
    scope = scope_of(user)
    return scope.superuser or bool(scope.paths("org"))


def runs_rounds(user: Any) -> bool:
    scope = scope_of(user)
    return scope.superuser or bool(scope.paths("org", RUN_ROLES))


# --- assessments --------------------------------------------------------------------------------


def visible_assessments(user: Any) -> QuerySet[Assessment]:
    """Own branch's (and the subtree's for reviewers), plus those on notice or published in
    a round whose subtree holds one of the user's grants."""
    scope = scope_of(user)
    qs = Assessment.objects.select_related("round", "org", "round__standard")
    if scope.superuser:
        return qs
    paths = scope.paths("org")
    own = prefix_q("org_path", paths)
    public = Q(status__in=PUBLIC_STATES) & _inside_q("round__org_path", paths)
    return qs.filter(own | public)


def belongs_to(user: Any, org_path: str) -> bool:
    """The user's membership or one of their posts lies in the organisation (or below)."""
    scope = scope_of(user)
    return any(g.kind == "org" and g.path.startswith(org_path) for g in scope.grants)


def can_self_assess(user: Any, assessment: Assessment) -> bool:
    scope = scope_of(user)
    if scope.superuser:
        return True
    return any(
        g.kind == "org" and g.role in SELF_ROLES and g.path == assessment.org_path
        for g in scope.grants
    )


def can_review(user: Any, assessment: Assessment) -> bool:
    """A run role over the branch, and no membership or post in it."""
    scope = scope_of(user)
    if scope.superuser:
        return True
    return scope.covers("org", assessment.org_path, RUN_ROLES) and not belongs_to(
        user, assessment.org_path
    )


def can_object(user: Any, assessment: Assessment) -> bool:
    """During the notice, anyone inside the round's subtree (members of every branch)."""
    if assessment.status != Assessment.Status.PUBLICITY:
        return False
    scope = scope_of(user)
    if scope.superuser:
        return True
    return any(
        g.kind == "org" and g.path.startswith(assessment.round.org_path) for g in scope.grants
    )


def access_assessment(user: Any, pk: Any) -> Assessment:
    return one_or_404(visible_assessments(user), pk)


def self_assessments(user: Any) -> QuerySet[Assessment]:
    """The assessments of the branches the user fills in (their own branch's)."""
    scope = scope_of(user)
    qs = Assessment.objects.select_related("round", "org")
    if scope.superuser:
        return qs
    paths = [g.path for g in scope.grants if g.kind == "org" and g.role in SELF_ROLES]
    return qs.filter(org_path__in=paths)


def reviewable_assessments(user: Any) -> QuerySet[Assessment]:
    """The assessments the user may review: their subtree's, minus the branches they belong
    to."""
    scope = scope_of(user)
    qs = Assessment.objects.select_related("round", "org")
    if scope.superuser:
        return qs
    qs = qs.filter(prefix_q("org_path", scope.paths("org", RUN_ROLES)))
    own = [g.path for g in scope.grants if g.kind == "org"]
    for p in own:
        qs = qs.exclude(org_path__in=[p[:n] for n in range(4, len(p) + 1, 4)])
    return qs
