"""What every page frame needs from the case loop: the plan link (the bell's count is
notify's: `juli.notify.context_processors.bell`)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def notifications(request: HttpRequest) -> dict[str, Any]:
    """`juli_can_plan`: whether the daily plan page is theirs (no query: the scope is cached)."""
    from .views_plan import can_plan

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"juli_can_plan": False}
    return {"juli_can_plan": can_plan(user)}
