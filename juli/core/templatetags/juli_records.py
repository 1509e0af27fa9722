"""`{% evidence_uses record %}`: on a record's page, where the record serves as evidence."""

from __future__ import annotations

from typing import Any

from django import template

from juli.core.records import uses_of

register = template.Library()


@register.inclusion_tag("core/_evidence_uses.html", takes_context=True)
def evidence_uses(context: Any, record: Any) -> dict[str, Any]:
    """The consumers citing `record` that the page's user may see (one query when none)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"uses": uses_of(record, user) if user is not None else []}
