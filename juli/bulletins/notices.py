"""The bulletins' notification kind, and the notice of a published bulletin.

`bulletin_published` (sent once, on commit) is connected here to `on_bulletin_published`,
which tells the area's office staff and the area's channels through `juli.notify`'s
`notify()`; the event key makes a repeated signal a no-op. `signals.py` imports this module,
so the receiver is connected wherever the signal can be sent.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy

from juli.core.notices import NoticeKind, register

from .signals import bulletin_published

BULLETIN = register(NoticeKind("bulletin", gettext_lazy("Bulletin published")))


def _published_at(obj: Any) -> datetime.datetime | None:
    """When it was published, if the row says so (a rebuilt history keeps its times)."""
    value = getattr(obj, "published_at", None)
    return value if isinstance(value, datetime.datetime) else None


def _url(bulletin: Any) -> str:
    try:
        return reverse("bulletin-detail", args=[bulletin.pk])
    except NoReverseMatch:
        return ""


def on_bulletin_published(sender: Any, bulletin: Any, actor: Any = None, **kwargs: Any) -> None:
    from juli.notify.actions import notify
    from juli.notify.queries import office_staff
    from juli.notify.text import lazy_format

    area = bulletin.area
    day = bulletin.date.strftime("%Y-%m-%d") if bulletin.date else ""
    # Rendered for each reader in their language (juli.notify.text), never the actor's.
    title = lazy_format(
        gettext_lazy("Daily bulletin of %(area)s for %(date)s published"), area=area, date=day
    )
    notify(
        f"bulletin:{bulletin.pk}:published",
        kind=BULLETIN.key,
        title=title,
        text="",
        url=_url(bulletin),
        users=office_staff(area),
        area=area,
        now=_published_at(bulletin),
    )


bulletin_published.connect(on_bulletin_published, dispatch_uid="bulletins-notice")
