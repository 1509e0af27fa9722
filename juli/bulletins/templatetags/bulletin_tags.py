"""Template helpers of the bulletin pages and PDF."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import reverse

register = template.Library()


@register.filter
def get_item(row: dict[str, Any], key: str) -> Any:
    """`row[key]`, or "" when absent (table cells by column key)."""
    value = row.get(key, "")
    return "" if value is None else value


@register.filter
def case_list_url(link: dict[str, Any] | None) -> str:
    """The office case list filtered by a figure's `link` (see `figures.py`), or ""."""
    if not link:
        return ""
    return reverse("case-list") + "?" + urlencode(link)
