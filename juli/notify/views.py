"""Pages of the notify app: every user's notifications (the bell's list), and the channels
of an organisation, area or unit with their log.

`/notifications/` lists the signed-in user's own notifications (`access.visible_notifications`)
and marks them read through `actions.mark_read` / `actions.mark_all_read`. Only managers of
the organisation, area or unit see the channel pages (everyone else: 404, as if it did not
exist). Views check access, validate a form, call one action.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from juli.orgs.access import SignedInRequest, scope_of
from juli.orgs.forms import apply_errors
from juli.orgs.models import Area, PartyOrg, Unit

from . import access, actions
from .access import AREA_MANAGERS
from .forms import ChannelForm
from .models import Delivery

GET_POST = require_http_methods(["GET", "POST"])
LOG_PAGE = 50
NOTIFICATION_PAGE = 50
DETAIL_URLS = {PartyOrg: "org-detail", Area: "area-detail", Unit: "unit-detail"}


def _scope_context(scope: PartyOrg | Area | Unit) -> dict[str, Any]:
    kind = access.scope_kind(scope)
    return {
        "scope": scope,
        "scope_kind": kind,
        "scope_url": reverse(DETAIL_URLS[type(scope)], args=[scope.pk]),
        "list_url": reverse("channel-list", args=[kind, scope.pk]),
        "nav": "channels",
    }


@login_required
@require_GET
def channel_home(request: HttpRequest) -> HttpResponse:
    """Every channel the user manages, and where they may add one."""
    from juli.orgs.roles import MANAGER_ROLES

    user = request.user
    scope = scope_of(user)
    candidates = access.visible_channels(user).order_by("-is_active", "name", "pk")[:200]
    channels = [c for c in candidates if access.can_manage_scope(user, c.scope)]
    if scope.superuser:
        areas = list(Area.get_root_nodes())
        orgs: list[PartyOrg] = []
    else:
        areas = list(Area.objects.filter(path__in=scope.paths("area", AREA_MANAGERS)))
        org_paths = [
            g.path for g in scope.grants if g.kind == "org" and g.role in MANAGER_ROLES and g.path
        ]
        orgs = list(
            PartyOrg.objects.filter(path__in=org_paths, area__isnull=True).order_by("path")[:20]
        )
    return render(
        request,
        "notify/channel_home.html",
        {"nav": "channels", "channels": channels, "areas": areas, "orgs": orgs},
    )


@login_required
@require_GET
def channel_list(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    scope = access.access_scope(request.user, kind, pk)
    channels = list(access.channels_of(scope).order_by("-is_active", "name", "pk"))
    recent = list(access.deliveries_of(scope).order_by("-created_at", "-pk")[:10])
    return render(
        request,
        "notify/channel_list.html",
        {**_scope_context(scope), "channels": channels, "recent": recent},
    )


def _save(request: HttpRequest, form: ChannelForm, action: Any) -> Any:
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return action(form.action_data())
    except ValidationError as error:
        apply_errors(form, error)
        return None


@login_required
@GET_POST
def channel_new(request: SignedInRequest, kind: str, pk: int) -> HttpResponse:
    scope = access.access_scope(request.user, kind, pk)
    form = ChannelForm(request.POST or None)
    channel = _save(request, form, lambda d: actions.create_channel(request.user, scope, **d))
    if channel:
        messages.success(request, _("The channel “%(name)s” was added.") % {"name": channel.name})
        return redirect("channel-list", kind, scope.pk)
    context = {**_scope_context(scope), "form": form}
    context["title"] = _("New notification channel for %(name)s") % {"name": scope.name}
    return render(request, "notify/channel_form.html", context)


@login_required
@GET_POST
def channel_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    channel = access.access_channel(request.user, pk)
    scope = channel.scope
    form = ChannelForm(request.POST or None, channel=channel)
    saved = _save(request, form, lambda d: actions.update_channel(request.user, channel, **d))
    if saved:
        messages.success(request, _("The channel “%(name)s” was saved.") % {"name": saved.name})
        return redirect("channel-list", access.scope_kind(scope), scope.pk)
    context = {**_scope_context(scope), "form": form, "channel": channel}
    context["title"] = _("Edit channel %(name)s") % {"name": channel.name}
    return render(request, "notify/channel_form.html", context)


@login_required
@require_POST
def channel_active(request: SignedInRequest, pk: int) -> HttpResponse:
    channel = access.access_channel(request.user, pk)
    active = request.POST.get("active") == "1"
    actions.set_channel_active(request.user, channel, active)
    if active:
        messages.success(request, _("The channel was reactivated."))
    else:
        messages.success(request, _("The channel was deactivated: it receives nothing now."))
    return redirect("channel-list", access.scope_kind(channel.scope), channel.scope.pk)


@login_required
@require_POST
def channel_test(request: SignedInRequest, pk: int) -> HttpResponse:
    channel = access.access_channel(request.user, pk)
    actions.send_test(request.user, channel)
    messages.success(
        request, _("A test message was queued: its result shows in the delivery log below.")
    )
    return redirect("channel-list", access.scope_kind(channel.scope), channel.scope.pk)


@login_required
@require_GET
def delivery_log(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    scope = access.access_scope(request.user, kind, pk)
    channels = list(access.channels_of(scope).order_by("name", "pk"))
    rows = access.deliveries_of(scope)
    channel_id = request.GET.get("channel", "")
    if channel_id.isdigit():
        rows = rows.filter(channel_id=int(channel_id))
    status = request.GET.get("status", "")
    if status in Delivery.Status.values:
        rows = rows.filter(status=status)
    before = request.GET.get("before", "")
    if before.isdigit():
        rows = rows.filter(pk__lt=int(before))
    page = list(rows.order_by("-pk")[: LOG_PAGE + 1])
    return render(
        request,
        "notify/delivery_log.html",
        {
            **_scope_context(scope),
            "channels": channels,
            "rows": page[:LOG_PAGE],
            "older": page[LOG_PAGE - 1].pk if len(page) > LOG_PAGE else None,
            "channel_id": channel_id,
            "status": status,
            "statuses": Delivery.Status.choices,
        },
    )


# --- The bell: a user's own notifications --------------------------------------------------------


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    rows = access.visible_notifications(user).select_related("case")
    before = request.GET.get("before", "")
    if before.isdigit():
        edge = rows.filter(pk=int(before)).values_list("created_at", "pk").first()
        if edge is not None:
            rows = rows.filter(Q(created_at__lt=edge[0]) | Q(created_at=edge[0], pk__lt=edge[1]))
    page = list(rows.order_by("-created_at", "-pk")[: NOTIFICATION_PAGE + 1])
    for n in page:
        n.url = n.link_for(user)
    context = {
        "nav": "notifications",
        "rows": page[:NOTIFICATION_PAGE],
        "older": page[NOTIFICATION_PAGE - 1].pk if len(page) > NOTIFICATION_PAGE else None,
    }
    return render(request, "notify/notifications.html", context)


@login_required
@require_POST
def notification_read(request: SignedInRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(access.visible_notifications(request.user), pk=pk)
    actions.mark_read(request.user, notification)
    return redirect(f"{reverse('notifications')}#notification-{notification.pk}")


@login_required
@require_POST
def notification_read_all(request: SignedInRequest) -> HttpResponse:
    count = actions.mark_all_read(request.user)
    if count:
        messages.success(request, _("%(n)d notifications marked read.") % {"n": count})
    return redirect("notifications")
