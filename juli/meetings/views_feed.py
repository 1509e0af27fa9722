"""The private calendar feed: create, revoke (replace) and serve a person's iCalendar URL.

The feed URL carries no login: its token is the credential. An unknown or revoked token is a
404, like any page that does not exist; the feed lists only that person's roster meetings.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from juli.orgs.access import SignedInRequest

from . import ical, queries
from .actions import plan
from .models import CalendarFeed


@login_required
@require_POST
def feed_create(request: SignedInRequest) -> HttpResponse:
    plan.create_feed(request.user, request.user)
    messages.success(request, _("Your calendar feed is ready: add its address to your calendar."))
    return redirect("meetings-mine")


@login_required
@require_POST
def feed_revoke(request: SignedInRequest) -> HttpResponse:
    if plan.revoke_feed(request.user, request.user) is not None:
        messages.success(
            request, _("The old address no longer works; add the new one to your calendar.")
        )
    return redirect("meetings-mine")


@never_cache
@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponse:
    found = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if found is None or not found.user.is_active:
        raise Http404
    body = ical.calendar(
        queries.feed_meetings(found.user),
        base_url=f"{request.scheme}://{request.get_host()}",
        domain=request.get_host().split(":")[0] or "juli",
        name=_("My meetings"),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="meetings.ics"'
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response
