"""/api/v1/ routes of the stats app."""

from django.urls import path

from . import api

urlpatterns = [path("stats/summary/", api.SummaryView.as_view(), name="api-stats-summary")]
