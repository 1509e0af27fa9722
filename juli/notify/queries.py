"""Read side of the notify app: the bell's unread count, and who in an office to tell."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from juli.orgs.models import Area, Post, User
from juli.orgs.roles import OFFICE_ROLES

from . import access
from .models import Notification


def unread_notifications(user: Any) -> QuerySet[Notification]:
    return access.visible_notifications(user).filter(read_at__isnull=True).select_related("case")


def office_staff(area: Area) -> QuerySet[User]:
    """Users with a current office post on `area` itself or on an organisation attached to it
    (a street's officers and its working committee's secretaries): the usual recipients of
    what is published for an area."""
    today = timezone.localdate()
    posts = (
        Post.objects.filter(role__in=OFFICE_ROLES, started_on__lte=today)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
        .filter(Q(area=area) | Q(org__area=area))
    )
    return User.objects.filter(is_active=True, person__posts__in=posts).distinct()
