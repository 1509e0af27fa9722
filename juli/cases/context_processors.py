"""What every page frame needs from the case loop: the unread count and the plan link."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.http import HttpRequest


def notifications(request: HttpRequest) -> dict[str, Any]:
    """`juli_unread_count`: the user's unread notifications (the bell in the header);
    `juli_can_plan`: whether the daily plan page is theirs (no query: the scope is cached).

    The count is a callable, so that templates resolve it only where they show it: one COUNT
    query on a page that renders the bell, none on a JSON answer or an htmx fragment.
    """
    from . import queries
    from .views_plan import can_plan

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"juli_unread_count": 0, "juli_can_plan": False}

    @cache
    def count() -> int:
        return queries.unread_notifications(user).count()

    return {"juli_unread_count": count, "juli_can_plan": can_plan(user)}
