"""The rankings' notification kind, and the notice of a published weekly ranking.

`ranking_published` (sent once, on commit) is connected here to `on_ranking_published`,
which tells the district's office staff and the district's channels through `juli.notify`'s
`notify()`; the event key makes a repeated signal a no-op. `signals.py` imports this module,
so the receiver is connected wherever the signal can be sent.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy

from juli.core.notices import NoticeKind, register

from .signals import ranking_published

RANKING = register(NoticeKind("ranking", gettext_lazy("Ranking published")))


def _published_at(obj: Any) -> datetime.datetime | None:
    """When it was published, if the row says so (a rebuilt history keeps its times)."""
    value = getattr(obj, "published_at", None)
    return value if isinstance(value, datetime.datetime) else None


def _url(ranking: Any) -> str:
    """The district's ranking page opened at the published week."""
    try:
        base = reverse("ranking-district", args=[ranking.district.pk])
    except NoReverseMatch:
        return ""
    return f"{base}?week={ranking.week}"


def on_ranking_published(sender: Any, ranking: Any, actor: Any = None, **kwargs: Any) -> None:
    from juli.notify.actions import notify
    from juli.notify.queries import office_staff
    from juli.notify.text import lazy_format

    district = ranking.district
    week = ranking.week
    week_label = week.strftime("%Y-%m-%d") if hasattr(week, "strftime") else str(week)
    # Rendered for each reader in their language (juli.notify.text), never the actor's.
    title = lazy_format(
        gettext_lazy("Weekly ranking of %(area)s for the week of %(week)s published"),
        area=district,
        week=week_label,
    )
    notify(
        f"ranking:{ranking.pk}:published",
        kind=RANKING.key,
        title=title,
        text="",
        url=_url(ranking),
        users=office_staff(district),
        area=district,
        now=_published_at(ranking),
    )


ranking_published.connect(on_ranking_published, dispatch_uid="rankings-notice")
