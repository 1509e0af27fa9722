"""/api/v1/ routes of the duties app."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("duty-lists", api.DutyListViewSet, basename="api-duty-list")
router.register("duty-posts", api.DutyPostViewSet, basename="api-duty-post")
router.register("duties", api.DutyViewSet, basename="api-duty")

urlpatterns = [
    path("duties/mine/", api.MyDutiesView.as_view(), name="api-duties-mine"),
    path("duty-chains/<int:org_id>/", api.ChainView.as_view(), name="api-duty-chain"),
    *router.urls,
]
