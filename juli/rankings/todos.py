"""What weekly rankings put on people's work-benches (`juli.core.todos`): computed weeks
waiting to be reviewed and published, for the district administrators who manage them
(`access.MANAGER_ROLES`). A district that publishes automatically has none."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from juli.core.todos import Todo, TodoKind, register
from juli.orgs.access import prefix_q, scope_of

from .access import MANAGER_ROLES
from .models import Ranking


def manages(user: Any) -> bool:
    return bool(scope_of(user).roles & MANAGER_ROLES)


def to_publish(user: Any) -> QuerySet[Ranking]:
    paths = scope_of(user).paths("area", MANAGER_ROLES)
    return Ranking.objects.filter(
        prefix_q("district__path", paths), status=Ranking.Status.COMPUTED
    ).order_by("week_start", "pk")


def items(user: Any, limit: int, offset: int) -> list[Todo]:
    rows = to_publish(user).select_related("district").defer("weights")[offset : offset + limit]
    return [
        Todo(
            title=str(
                _("%(district)s, week %(week)s")
                % {
                    "district": ranking.district.name,
                    "week": ranking.week,
                }
            ),
            url=reverse("ranking-district", args=[ranking.district_id])
            + "?"
            + urlencode({"week": ranking.week}),
            subtitle=str(_("Computed, not published")),
            since=ranking.computed_at,
        )
        for ranking in rows
    ]


register(
    TodoKind(
        "rankings.publish",
        _("Weekly rankings to publish"),
        "reports",
        count=lambda user: to_publish(user).count(),
        items=items,
        url=lambda user: reverse("ranking-index"),
        visible=manages,
        order=20,
    )
)
