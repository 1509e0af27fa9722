"""/api/v1/ routes of the rankings app."""

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("rankings", api.RankingViewSet, basename="api-ranking")

urlpatterns = router.urls
