"""What news puts on people's work-benches (`juli.core.todos`): items in review, for their
reviewers (the organisation's publicity officers, or its secretaries where it has none).
Approving or returning an item takes it off the bench; no one sees their own item here."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from juli.core.todos import Todo, TodoGroup, TodoKind, register, register_group
from juli.orgs.access import scope_of
from juli.orgs.roles import Role

from .access import SECRETARY_ROLES, reviewable_news
from .models import NewsItem

REVIEW_ROLES = SECRETARY_ROLES | {Role.PUBLICITY_OFFICER}


def reviews(user: Any) -> bool:
    scope = scope_of(user)
    return scope.superuser or bool(scope.paths("org", REVIEW_ROLES))


def to_review(user: Any) -> QuerySet[NewsItem]:
    return reviewable_news(user).order_by("updated_at", "pk")


def items(user: Any, limit: int, offset: int) -> list[Todo]:
    rows = to_review(user).select_related("org")[offset : offset + limit]
    return [
        Todo(
            title=item.title,
            url=reverse("news-item", args=[item.pk]),
            subtitle=item.org.name,
            since=item.updated_at,
        )
        for item in rows
    ]


register_group(TodoGroup("news", _("News"), 70))
register(
    TodoKind(
        "news.review",
        _("News to review"),
        "news",
        count=lambda user: to_review(user).count(),
        items=items,
        url=lambda user: reverse("news-list") + "?status=in_review",
        visible=reviews,
    )
)
