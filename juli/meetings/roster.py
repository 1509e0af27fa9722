"""Who is expected at a meeting: the organisation's members at the meeting's date.

A branch's members are the people whose party organisation is the branch or a group inside
it; a group's are its own; an organisation above branches has no automatic roster (its
conferences invite by name). `juli.orgs.queries.members_on` answers who belonged to an
organisation on a date.
"""

from __future__ import annotations

import datetime

from django.db.models import QuerySet

from juli.orgs.models import PartyOrg, Person
from juli.orgs.queries import members_on

#: Organisation kinds whose meetings list their members automatically.
ROSTER_KINDS = frozenset({PartyOrg.Kind.BRANCH, PartyOrg.Kind.GROUP, PartyOrg.Kind.GENERAL_BRANCH})


def members_for(org: PartyOrg, on: datetime.date) -> QuerySet[Person]:
    """The members expected at a meeting of `org` held on `on` (none above a branch)."""
    if org.kind not in ROSTER_KINDS:
        return Person.objects.none()
    return members_on(org, on)
