"""Turn other apps' events into notifications (connected in NotifyConfig.ready).

The bulletins and rankings apps send their signals once, on commit; `notify` is idempotent by
event key besides, so a signal sent twice still notifies once.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from juli.orgs.models import Area, Post, User
from juli.orgs.roles import OFFICE_ROLES

from .actions import notify
from .models import EventKind


def _url(name: str, pk: Any) -> str:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


def office_staff(area: Area) -> QuerySet[User]:
    """Users with a current office post on `area` itself or on an organisation attached to it
    (a street's officers and its working committee's secretaries)."""
    today = timezone.localdate()
    posts = (
        Post.objects.filter(role__in=OFFICE_ROLES, started_on__lte=today)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
        .filter(Q(area=area) | Q(org__area=area))
    )
    return User.objects.filter(is_active=True, person__posts__in=posts).distinct()


def _published_at(obj: Any) -> datetime.datetime | None:
    """When it was published, if the row says so (a rebuilt history keeps its times)."""
    value = getattr(obj, "published_at", None)
    return value if isinstance(value, datetime.datetime) else None


def on_bulletin_published(sender: Any, bulletin: Any, actor: Any = None, **kwargs: Any) -> None:
    area = bulletin.area
    day = bulletin.date.strftime("%Y-%m-%d") if bulletin.date else ""
    title = _("Daily bulletin of %(area)s for %(date)s published") % {"area": area, "date": day}
    notify(
        f"bulletin:{bulletin.pk}:published",
        kind=EventKind.BULLETIN,
        title=title,
        text="",
        url=_url("bulletin-detail", bulletin.pk),
        users=office_staff(area),
        area=area,
        now=_published_at(bulletin),
    )


def _ranking_url(ranking: Any) -> str:
    """The district's ranking page opened at the published week."""
    base = _url("ranking-district", ranking.district.pk)
    return f"{base}?week={ranking.week}" if base else ""


def on_ranking_published(sender: Any, ranking: Any, actor: Any = None, **kwargs: Any) -> None:
    district = ranking.district
    week = ranking.week
    week_label = week.strftime("%Y-%m-%d") if hasattr(week, "strftime") else str(week)
    title = _("Weekly ranking of %(area)s for the week of %(week)s published") % {
        "area": district,
        "week": week_label,
    }
    notify(
        f"ranking:{ranking.pk}:published",
        kind=EventKind.RANKING,
        title=title,
        text="",
        url=_ranking_url(ranking),
        users=office_staff(district),
        area=district,
        now=_published_at(ranking),
    )
