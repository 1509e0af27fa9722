"""What every page frame needs from notify: the bell's unread count."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.http import HttpRequest


def bell(request: HttpRequest) -> dict[str, Any]:
    """`juli_unread_count`: the user's unread notifications (the bell in the header).

    The count is a callable, so that templates resolve it only where they show it: one COUNT
    query on a page that renders the bell, none on a JSON answer or an htmx fragment.
    """
    from . import queries

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"juli_unread_count": 0}

    @cache
    def count() -> int:
        return queries.unread_notifications(user).count()

    return {"juli_unread_count": count}
