"""What notification channels put on people's work-benches (`juli.core.todos`): channels of
the organisations, areas and units the user manages (`access.visible_channels`) whose
deliveries failed (still retrying, or given up) in the last seven days. A channel that
fails silently means the hand-overs it should carry reach nobody: its manager must look.
"""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from juli.core.todos import Todo, TodoKind, register
from juli.orgs.access import scope_of
from juli.orgs.roles import MANAGER_ROLES

from . import access
from .models import Channel, Delivery

#: How far back a failed delivery still makes its channel a to-do.
WINDOW = datetime.timedelta(days=7)
FAILING = (Delivery.Status.FAILED, Delivery.Status.GAVE_UP)


def manages_channels(user: Any) -> bool:
    return bool(scope_of(user).roles & MANAGER_ROLES)


def _failed_since() -> datetime.datetime:
    return timezone.now() - WINDOW


def failing_channels(user: Any) -> QuerySet[Channel]:
    since = _failed_since()
    failed = Delivery.objects.filter(
        channel=OuterRef("pk"), status__in=FAILING, created_at__gte=since
    )
    return (
        access.visible_channels(user).filter(Exists(failed), is_active=True).order_by("name", "pk")
    )


def items(user: Any, limit: int, offset: int) -> list[Todo]:
    since = _failed_since()
    rows = failing_channels(user).annotate(
        failures=Count(
            "deliveries",
            filter=Q(deliveries__status__in=FAILING, deliveries__created_at__gte=since),
        )
    )[offset : offset + limit]
    out = []
    for channel in rows:
        scope = channel.scope
        n = channel.failures  # type: ignore[attr-defined]
        out.append(
            Todo(
                title=channel.name,
                url=reverse("delivery-log", args=[access.scope_kind(scope), scope.pk])
                + "?"
                + urlencode({"channel": channel.pk}),
                subtitle=f"{scope.name} · {channel.get_kind_display()} · "
                + ngettext(
                    "%(n)s failed delivery in 7 days", "%(n)s failed deliveries in 7 days", n
                )
                % {"n": n},
                overdue=True,
            )
        )
    return out


register(
    TodoKind(
        "notify.failing",
        _("Channels failing delivery"),
        "channels",
        count=lambda user: failing_channels(user).count(),
        items=items,
        url=lambda user: reverse("channel-home"),
        visible=manages_channels,
        order=10,
    )
)
