"""Read side of news: search in either script, an organisation's published items, the
editor's list, and the item made from a given record."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet

from juli.orgs.models import PartyOrg
from juli.orgs.search import normalise_query

from . import access
from .models import NewsItem


def search(qs: QuerySet[NewsItem], q: str) -> QuerySet[NewsItem]:
    """Items whose folded key holds every word of `q`; the query is folded the same way
    (traditional → simplified, lower case), so 黨建 finds 党建 and 党建 finds 黨建."""
    for word in normalise_query(q).split():
        qs = qs.filter(search_key__contains=word)
    return qs


def org_news(user: Any, org: PartyOrg, *, q: str = "") -> QuerySet[NewsItem]:
    """The organisation's published items, newest first (the caller checked the page)."""
    qs = NewsItem.objects.filter(org=org, status=NewsItem.Status.PUBLISHED)
    if q:
        qs = search(qs, q)
    return qs.order_by("-published_at", "-id")


def editor_news(user: Any, *, status: str = "", q: str = "") -> QuerySet[NewsItem]:
    """The editor's list: every item of their scope (and their own), newest change first."""
    qs = access.edited_news(user).select_related("org", "author__person")
    if status in NewsItem.Status.values:
        qs = qs.filter(status=status)
    if q:
        qs = search(qs, q)
    return qs.order_by("-updated_at", "-id")


def items_from(source: models.Model) -> QuerySet[NewsItem]:
    """Items made from `source` (a meeting), newest first, withdrawn ones included."""
    return NewsItem.objects.filter(
        source_type=ContentType.objects.get_for_model(source), source_id=source.pk
    ).order_by("-created_at", "-id")


def current_item_from(source: models.Model) -> NewsItem | None:
    """The live item made from `source` (draft, in review or published), if any."""
    return (
        items_from(source).exclude(status=NewsItem.Status.WITHDRAWN).select_related("org").first()
    )
