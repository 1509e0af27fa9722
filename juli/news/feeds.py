"""The Atom feed of an organisation's published news (`/news/org/<id>/atom.xml`): the same
visibility as its news page (public organisations for everyone, the others for those whose
grants cover them; 404 otherwise)."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html
from django.utils.translation import gettext as _

from juli.orgs.models import PartyOrg

from . import access, queries
from .models import NewsItem

FEED_ITEMS = 30


class OrgNewsFeed(Feed):  # type: ignore[type-arg]
    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, pk: int) -> PartyOrg:  # type: ignore[override]
        return access.access_org_news(request.user, pk)

    def title(self, obj: PartyOrg) -> str:
        return _("News of %(org)s") % {"org": obj.name}

    def subtitle(self, obj: PartyOrg) -> str:
        return _("Published news of %(org)s") % {"org": obj.name}

    def link(self, obj: PartyOrg) -> str:
        return reverse("news-org", args=[obj.pk])

    def feed_url(self, obj: PartyOrg) -> str:
        return reverse("news-org-atom", args=[obj.pk])

    def items(self, obj: PartyOrg) -> Any:
        return queries.org_news(None, obj).select_related("org")[:FEED_ITEMS]

    def item_title(self, item: NewsItem) -> str:
        return item.title

    def item_description(self, item: NewsItem) -> str:
        # Atom marks the summary type="html" (a reader renders it): each paragraph is
        # escaped here, so nothing a user typed is markup there.
        texts = [p for p in [item.summary, *item.paragraphs] if p]
        return "".join(format_html("<p>{}</p>", p) for p in texts)

    def item_link(self, item: NewsItem) -> str:
        return reverse("news-item", args=[item.pk])

    def item_pubdate(self, item: NewsItem) -> datetime.datetime | None:
        return item.published_at

    def item_updateddate(self, item: NewsItem) -> datetime.datetime | None:
        return item.published_at

    def item_author_name(self, item: NewsItem) -> str:
        return item.org.name


org_news_feed = OrgNewsFeed()
