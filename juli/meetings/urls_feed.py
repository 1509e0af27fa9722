"""Pages of the meetings app: the private calendar feed (included by urls.py)."""

from django.urls import path

from . import views_feed

urlpatterns = [
    path("meetings/feed/", views_feed.feed_create, name="meetings-feed-create"),
    path("meetings/feed/revoke/", views_feed.feed_revoke, name="meetings-feed-revoke"),
    path("meetings/feed/<str:token>.ics", views_feed.feed, name="meetings-feed"),
]
