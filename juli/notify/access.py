"""Who may see and manage notification channels: the managers of the organisation, area or
unit a channel belongs to (`juli.orgs.access.can_manage_*`). Everyone else gets 404."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from juli.orgs import access as orgs_access
from juli.orgs.access import one_or_404, prefix_q, scope_of
from juli.orgs.models import Area, PartyOrg, Unit
from juli.orgs.roles import MANAGER_ROLES, Role

from .models import Channel, Delivery, Notification

SCOPE_KINDS = ("org", "area", "unit")
AREA_MANAGERS = {Role.DISTRICT_ADMIN, Role.STREET_OFFICER}


def can_manage_scope(user: Any, scope: PartyOrg | Area | Unit) -> bool:
    if isinstance(scope, PartyOrg):
        return orgs_access.can_manage_org(user, scope)
    if isinstance(scope, Area):
        return orgs_access.can_manage_area(user, scope)
    return orgs_access.can_manage_unit(user, scope)


def access_scope(user: Any, kind: str, pk: Any) -> PartyOrg | Area | Unit:
    """The organisation, area or unit whose channels `user` manages, or Http404."""
    if kind == "org":
        scope: PartyOrg | Area | Unit = orgs_access.access_org(user, pk)
    elif kind == "area":
        scope = orgs_access.access_area(user, pk)
    elif kind == "unit":
        scope = orgs_access.access_unit(user, pk)
    else:
        raise Http404
    if not can_manage_scope(user, scope):
        raise Http404
    return scope


def visible_channels(user: Any) -> QuerySet[Channel]:
    """Channels of the organisations, areas and units the user manages (a superset filter by
    path prefixes; `access_channel` confirms the right on the one row)."""
    scope = scope_of(user)
    qs = Channel.objects.select_related("org__area", "area", "unit__area")
    if scope.superuser:
        return qs
    area_paths = scope.paths("area", AREA_MANAGERS)
    q = (
        prefix_q("org__path", scope.paths("org", MANAGER_ROLES))
        | prefix_q("org__area__path", area_paths)
        | prefix_q("area__path", area_paths)
        | prefix_q("unit__area__path", area_paths)
    )
    if not area_paths and not scope.paths("org", MANAGER_ROLES):
        return qs.none()
    return qs.filter(q)


def access_channel(user: Any, pk: Any) -> Channel:
    channel: Channel = one_or_404(visible_channels(user), pk)
    if not can_manage_scope(user, channel.scope):
        raise Http404
    return channel


def channels_of(scope: PartyOrg | Area | Unit) -> QuerySet[Channel]:
    field = {PartyOrg: "org", Area: "area", Unit: "unit"}[type(scope)]
    return Channel.objects.filter(Q(**{field: scope}))


def deliveries_of(scope: PartyOrg | Area | Unit) -> QuerySet[Delivery]:
    field = {PartyOrg: "org", Area: "area", Unit: "unit"}[type(scope)]
    return Delivery.objects.filter(**{f"channel__{field}": scope}).select_related("channel")


def scope_kind(scope: PartyOrg | Area | Unit) -> str:
    return {PartyOrg: "org", Area: "area", Unit: "unit"}[type(scope)]


def visible_notifications(user: Any) -> QuerySet[Notification]:
    """A user's own in-app notifications (nobody reads another's)."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(recipient_id=user.pk)
