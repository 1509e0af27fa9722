"""What daily bulletins put on people's work-benches (`juli.core.todos`): drafts waiting to be
reviewed and published, for the case office of the bulletin's own area (a street officer
their street's bulletin, a district administrator the district's). A district admin may
also publish a street's draft, but it is the street's to-do, not theirs.

Published drafts leave the bench; a district that publishes automatically has none.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from juli.cases.models import CASE_OFFICE_ROLES
from juli.core.todos import Todo, TodoKind, register
from juli.orgs.access import scope_of

from .models import Bulletin


def _own_areas(user: Any) -> list[str]:
    """The areas of the user's case-office posts themselves (exact paths, from the scope)."""
    scope = scope_of(user)
    return sorted(
        {g.path for g in scope.grants if g.kind == "area" and g.role in CASE_OFFICE_ROLES}
    )


def publishes(user: Any) -> bool:
    return bool(scope_of(user).roles & CASE_OFFICE_ROLES)


def drafts(user: Any) -> QuerySet[Bulletin]:
    return Bulletin.objects.filter(
        area_path__in=_own_areas(user), status=Bulletin.Status.DRAFT
    ).order_by("date", "pk")


def items(user: Any, limit: int, offset: int) -> list[Todo]:
    rows = drafts(user).select_related("area").defer("figures")[offset : offset + limit]
    return [
        Todo(
            title=bulletin.title,
            url=reverse("bulletin-detail", args=[bulletin.pk]),
            subtitle=str(_("Draft, not published")),
            since=bulletin.generated_at,
        )
        for bulletin in rows
    ]


register(
    TodoKind(
        "bulletins.publish",
        _("Daily bulletins to publish"),
        "reports",
        count=lambda user: drafts(user).count(),
        items=items,
        url=lambda user: reverse("bulletin-list"),
        visible=publishes,
        order=10,
    )
)
