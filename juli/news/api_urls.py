"""/api/v1/ routes of the news app."""

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("news", api.NewsViewSet, basename="api-news")

urlpatterns = router.urls
