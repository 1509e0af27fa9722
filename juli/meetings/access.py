"""Who sees and runs meetings.

- Seeing: anyone whose grants cover the meeting's organisation (a member sees their own
  branch's and its groups' meetings through the membership grant; an upper organisation
  sees its subtree; street offices and district admins the organisations attached to their
  areas), plus every meeting the user's person is on the roster of (an invited guest from
  another organisation). Outside that: 404.
- Running (plan, edit the roster, record attendance and minutes, confirm make-ups): the
  organisation's secretaries, committee members and organisation officers, the group
  leader for a group's meetings, and the office roles above the organisation.
- Confirming minutes: a presider of the meeting, or a secretary of its organisation.
- Compliance: the office and secretary roles of an organisation see its subtree's figures;
  a branch's own committee sees its own.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from juli.orgs.access import one_or_404, prefix_q, roles_of, scope_of
from juli.orgs.models import PartyOrg
from juli.orgs.roles import Role

from .models import Meeting

#: Roles that plan and record the meetings of the organisation their post is in (and below).
RUN_ROLES = frozenset(
    {
        Role.DISTRICT_ADMIN,
        Role.STREET_OFFICER,
        Role.ORG_OFFICER,
        Role.PARTY_SECRETARY,
        Role.DEPUTY_SECRETARY,
        Role.COMMITTEE_MEMBER,
    }
)
#: Roles that confirm minutes (besides the meeting's presiders).
SECRETARY_ROLES = frozenset(
    {Role.DISTRICT_ADMIN, Role.STREET_OFFICER, Role.PARTY_SECRETARY, Role.DEPUTY_SECRETARY}
)
#: Roles that read a subtree's compliance.
COMPLIANCE_ROLES = RUN_ROLES | {Role.ORG_OFFICER}


def visible_meetings(user: Any) -> QuerySet[Meeting]:
    """Meetings of the organisations the user's grants cover, and those they are on the
    roster of (every meeting for a superuser)."""
    scope = scope_of(user)
    qs = Meeting.objects.select_related("org")
    if scope.superuser:
        return qs
    q = prefix_q("org_path", scope.paths("org"))
    if scope.person_id:
        q |= Q(attendees__person_id=scope.person_id)
        return qs.filter(pk__in=Meeting.objects.filter(q).values("pk"))
    return qs.filter(q)


def my_meetings(user: Any) -> QuerySet[Meeting]:
    """The meetings the user's person is on the roster of (their calendar)."""
    scope = scope_of(user)
    if not scope.person_id:
        return Meeting.objects.none()
    return Meeting.objects.select_related("org").filter(attendees__person_id=scope.person_id)


def can_run_org(user: Any, org: PartyOrg) -> bool:
    """May plan and record meetings of `org`."""
    scope = scope_of(user)
    if scope.superuser:
        return True
    if scope.covers("org", org.path, RUN_ROLES):
        return True
    return org.kind == PartyOrg.Kind.GROUP and scope.covers("org", org.path, {Role.GROUP_LEADER})


def can_run_meeting(user: Any, meeting: Meeting) -> bool:
    return can_run_org(user, meeting.org)


def is_presider(user: Any, meeting: Meeting) -> bool:
    person_id = scope_of(user).person_id
    return bool(person_id) and meeting.parts.filter(presider_id=person_id).exists()


def can_confirm_minutes(user: Any, meeting: Meeting) -> bool:
    """A presider of the meeting, or a secretary over its organisation."""
    scope = scope_of(user)
    if scope.superuser or scope.covers("org", meeting.org_path, SECRETARY_ROLES):
        return True
    return is_presider(user, meeting)


def runnable_orgs(user: Any) -> QuerySet[PartyOrg]:
    """The active organisations whose meetings the user may plan."""
    scope = scope_of(user)
    qs = PartyOrg.objects.filter(status=PartyOrg.Status.ACTIVE)
    if scope.superuser:
        return qs
    q = prefix_q("path", scope.paths("org", RUN_ROLES))
    leader_paths = scope.paths("org", {Role.GROUP_LEADER})
    if leader_paths:
        q |= prefix_q("path", leader_paths) & Q(kind=PartyOrg.Kind.GROUP)
    return qs.filter(q)


def compliance_orgs(user: Any) -> QuerySet[PartyOrg]:
    """The organisations whose compliance the user reads (their subtrees)."""
    scope = scope_of(user)
    qs = PartyOrg.objects.all()
    if scope.superuser:
        return qs
    return qs.filter(prefix_q("path", scope.paths("org", COMPLIANCE_ROLES)))


def shows_meetings(user: Any) -> bool:
    """The menu entry 会议 (from the cached scope, no query): anyone with a person who is a
    member or holds an organisation post, and the office roles."""
    scope = scope_of(user)
    return scope.superuser or bool(scope.paths("org"))


def shows_compliance(user: Any) -> bool:
    scope = scope_of(user)
    return scope.superuser or bool(scope.paths("org", COMPLIANCE_ROLES))


def access_meeting(user: Any, pk: Any, *, write: bool = False) -> Meeting:
    """The meeting if the user sees it, else Http404; `write` also needs the right to run
    it (403)."""
    meeting = one_or_404(visible_meetings(user), pk)
    if write and not can_run_meeting(user, meeting):
        raise PermissionDenied
    return meeting


def access_runnable_org(user: Any, pk: Any) -> PartyOrg:
    return one_or_404(runnable_orgs(user), pk)


__all__ = [
    "access_meeting",
    "can_confirm_minutes",
    "can_run_meeting",
    "can_run_org",
    "compliance_orgs",
    "my_meetings",
    "roles_of",
    "runnable_orgs",
    "shows_compliance",
    "shows_meetings",
    "visible_meetings",
]


# --- Make-up items (added by the minutes part) -------------------------------------------------


def runnable_paths_q(user: Any, field: str = "org_path") -> Q:
    """`field` within an organisation the user runs meetings of (a group leader: groups)."""
    scope = scope_of(user)
    q = prefix_q(field, scope.paths("org", RUN_ROLES))
    leader_paths = scope.paths("org", {Role.GROUP_LEADER})
    if leader_paths:
        q |= prefix_q(field, leader_paths) & Q(
            **{field.replace("org_path", "org__kind"): PartyOrg.Kind.GROUP}
        )
    return q


def visible_make_ups(user: Any) -> QuerySet[Any]:
    """The user's own make-up items and those of the meetings they run."""
    from .models import MakeUp

    scope = scope_of(user)
    qs = MakeUp.objects.select_related("meeting", "meeting__org", "person")
    if scope.superuser:
        return qs
    q = runnable_paths_q(user, "meeting__org_path")
    if scope.person_id:
        q |= Q(person_id=scope.person_id)
    return qs.filter(q)


def access_make_up(user: Any, pk: Any) -> Any:
    return one_or_404(visible_make_ups(user), pk)
