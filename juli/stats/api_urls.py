"""/api/v1/ routes of the stats app."""

from rest_framework.routers import SimpleRouter

router = SimpleRouter()

urlpatterns = router.urls
