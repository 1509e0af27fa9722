"""`{% my_duties_card user %}`: the home page's card with the user's duties and vacancies."""

from __future__ import annotations

from typing import Any

from django import template

from juli.duties import access, queries

register = template.Library()

#: Chains summed on the home card; more roots than this show a link instead of counts.
HOME_CHAINS = 3


@register.inclusion_tag("duties/_home_card.html")
def my_duties_card(user: Any) -> dict[str, Any]:
    """Counts of the user's own duties by post and, for officers, the vacancies of the
    chains they oversee. Nothing when the user has neither."""
    if not getattr(user, "is_authenticated", False):
        return {"show": False}
    person = user.person if user.person_id else None
    held = queries.person_duties(person)
    roots = list(access.chain_roots(user)[: HOME_CHAINS + 1])
    chains = queries.chain_summary(roots[:HOME_CHAINS]) if len(roots) <= HOME_CHAINS else []
    return {
        "show": bool(held or roots),
        "held": held,
        "duty_count": sum(len(h.duties) for h in held),
        "chains": chains,
        "more_chains": len(roots) > HOME_CHAINS,
    }
