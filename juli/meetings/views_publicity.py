"""Publicity on a meeting's page: the card showing the news item made from the meeting (or
the button that drafts one), and the draft step itself (`publicity.draft_from_meeting`).

The card is loaded by htmx from the meeting page (`_publicity_card.html`), so the meeting
page's own view needs to know nothing of news.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from juli.news import queries as news_queries
from juli.orgs.access import SignedInRequest

from . import publicity
from .access import access_meeting


@login_required
@require_GET
def publicity_card(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = access_meeting(request.user, pk)
    context = {
        "meeting": meeting,
        "news_item": news_queries.current_item_from(meeting),
        "may_draft": publicity.may_draft(request.user, meeting),
    }
    return render(request, "meetings/_publicity_card_body.html", context)


@login_required
@require_POST
def publicity_draft(request: SignedInRequest, pk: int) -> HttpResponse:
    meeting = access_meeting(request.user, pk)
    try:
        item = publicity.draft_from_meeting(request.user, meeting)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("meetings-detail", meeting.pk)
    messages.success(
        request, _("News draft made from the meeting record; edit it and submit it for review.")
    )
    return redirect("news-item", item.pk)
