"""Small display helpers for the organisation pages."""

from __future__ import annotations

import json
from typing import Any

from django import template
from django.urls import reverse

from juli.orgs.queries import object_url_name

register = template.Library()


@register.simple_tag
def audit_object_url(row: Any) -> str:
    """The page of an audited object ("" when it has none); the page itself checks access."""
    name = object_url_name(row.object_type)
    if name is None or not str(row.object_id).isdigit():
        return ""
    return reverse(name, args=[int(row.object_id)])


@register.filter
def audit_value(value: Any) -> str:
    """An audited value as short text: "—" for nothing, JSON for lists and mappings."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


@register.inclusion_tag("orgs/_crumbs.html")
def breadcrumbs(node: Any, tree: str) -> dict[str, Any]:
    """The ancestors set by `queries.attach_breadcrumbs` ("org" or "area" tree): links for
    the ones the user can see, plain names for the others."""
    return {"crumbs": getattr(node, "crumbs", []), "tree": tree}
