"""/api/v1/ routes of the duties app."""

from rest_framework.routers import SimpleRouter

router = SimpleRouter()

urlpatterns = router.urls
