"""To-dos of meetings: rules. "Meetings due this period": for the secretaries and deputies of
an organisation (and a group's leader), each required kind whose current period ends within
`DUE_DAYS` days and is not yet held enough (confirmed minutes), nearest deadline first, each
linking to planning one.

Departure from the registry's "one COUNT": the figure is computed (`compliance.pending`,
three queries over the user's own few organisations), not a queryset; count and items read
the same computation, cached on the user object for the request.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from juli.core.todos import Todo, TodoKind, register
from juli.orgs.access import scope_of
from juli.orgs.models import PartyOrg
from juli.orgs.roles import Role

from . import compliance

#: A period shows on the bench from this many days before its last day.
DUE_DAYS = 14
ROLES = frozenset({Role.PARTY_SECRETARY, Role.DEPUTY_SECRETARY, Role.GROUP_LEADER})


def _paths(user: Any) -> list[str]:
    return sorted({g.path for g in scope_of(user).grants if g.kind == "org" and g.role in ROLES})


def has_due(user: Any) -> bool:
    return bool(_paths(user))


def due_items(user: Any, today: datetime.date | None = None) -> list[compliance.Due]:
    """The user's organisations' periods ending within `DUE_DAYS`, not held enough (for
    today, cached on the user object for the request)."""
    cached = getattr(user, "_juli_meetings_due", None) if today is None else None
    if cached is not None:
        return list(cached)
    paths = _paths(user)
    orgs = list(PartyOrg.objects.filter(status=PartyOrg.Status.ACTIVE, path__in=paths))
    found = compliance.pending(orgs, today or timezone.localdate(), DUE_DAYS) if orgs else []
    if today is None:
        user._juli_meetings_due = found
    return found


def items(user: Any, limit: int, offset: int) -> Sequence[Todo]:
    today = timezone.localdate()
    out = []
    for d in due_items(user)[offset : offset + limit]:
        left = d.days_left(today)
        out.append(
            Todo(
                str(d.kind_label),
                reverse("meetings-new") + f"?org={d.org.pk}&kind={d.kind}",
                subtitle=f"{d.org.name} · {d.figure.held}/{d.figure.required}",
                countdown=gettext("%(n)s days left") % {"n": left} if left else gettext("Last day"),
            )
        )
    return out


register(
    TodoKind(
        "meetings.due",
        _("Meetings due this period"),
        "meetings",
        count=lambda user: len(due_items(user)),
        items=items,
        url=lambda user: reverse("meetings-compliance"),
        visible=has_due,
        order=40,
    )
)
