"""The notification kinds of news (`juli.core.notices`) and who is told at each step:
submitted → the reviewers (`access.reviewers_of`); returned → the author; published → the
author and the organisation's channels. Called by `actions` inside the step's transaction;
each event key names the step and its time, so a retried call adds nothing."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from juli.core.notices import NoticeKind, register

NEWS_SUBMITTED = register(
    NoticeKind(
        "news_submitted",
        _("News to review"),
        description=_("A news item of your organisation awaits your review."),
    )
)
NEWS_RETURNED = register(
    NoticeKind(
        "news_returned",
        _("News returned"),
        description=_("A news item you wrote was returned to you with a reason."),
    )
)
NEWS_PUBLISHED = register(
    NoticeKind(
        "news_published",
        _("News published"),
        description=_("A news item of the organisation was published."),
    )
)


def _stamp(item: Any) -> str:
    return item.updated_at.strftime("%Y%m%d%H%M%S%f")


def announce_submitted(item: Any) -> None:
    from juli.notify.actions import notify
    from juli.notify.text import lazy_format

    from .access import reviewers_of

    notify(
        f"news:{item.pk}:submitted:{_stamp(item)}",
        kind=NEWS_SUBMITTED.key,
        title=lazy_format(_("News to review: %(title)s"), title=item.title),
        text=item.summary,
        url=reverse("news-item", args=[item.pk]),
        users=[u for u in reviewers_of(item.org) if u.pk != item.author_id],
    )


def announce_returned(item: Any) -> None:
    from juli.notify.actions import notify
    from juli.notify.text import lazy_format

    notify(
        f"news:{item.pk}:returned:{_stamp(item)}",
        kind=NEWS_RETURNED.key,
        title=lazy_format(_("News returned: %(title)s"), title=item.title),
        text=item.reason,
        url=reverse("news-item", args=[item.pk]),
        users=[item.author_id] if item.author_id else [],
    )


def announce_published(item: Any) -> None:
    from juli.notify.actions import notify
    from juli.notify.text import lazy_format

    notify(
        f"news:{item.pk}:published",
        kind=NEWS_PUBLISHED.key,
        title=lazy_format(
            _("News of %(org)s published: %(title)s"), org=item.org.name, title=item.title
        ),
        text=item.summary,
        url=reverse("news-item", args=[item.pk]),
        users=[item.author_id] if item.author_id else [],
        org=item.org,
        now=item.published_at,
    )
