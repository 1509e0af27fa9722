"""/api/v1/ routes of the letters app."""

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("letters", api.LetterViewSet, basename="api-letter")
router.register("letter-items", api.LetterItemViewSet, basename="api-letter-item")
router.register("evidence", api.EvidenceViewSet, basename="api-evidence")

urlpatterns = router.urls
