"""What the hourly task does, as a plain function (tests call it with a fixed `now`)."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils import timezone

from juli.orgs.models import Area

from . import actions
from .models import Bulletin


def run_daily(now: datetime.datetime | None = None) -> dict[str, int]:
    """Generate (and, where configured, publish) the previous local day's bulletins of every
    district whose generation hour has passed at `now`, and of its streets."""
    local = timezone.localtime(now or timezone.now())
    day = local.date() - datetime.timedelta(days=1)
    created = published = 0
    for district in Area.objects.filter(kind=Area.Kind.DISTRICT, is_active=True).order_by("path"):
        config = actions.settings_for(district)
        if local.hour < config.generation_hour:
            continue
        areas = Area.objects.filter(
            Q(pk=district.pk)
            | Q(kind=Area.Kind.STREET, path__startswith=district.path, is_active=True)
        ).order_by("path")
        for area in areas:
            bulletin, made = actions.ensure_bulletin(area, day)
            created += made
            if config.auto_publish and bulletin.status == Bulletin.Status.DRAFT:
                try:
                    actions.publish_bulletin(None, bulletin)
                    published += 1
                except actions.BulletinError:
                    pass  # published meanwhile by an officer or another run
    return {"created": created, "published": published}
