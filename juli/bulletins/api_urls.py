"""/api/v1/ routes of the bulletins app."""

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("bulletins", api.BulletinViewSet, basename="api-bulletin")

urlpatterns = router.urls
