"""The app's API routes, mounted under /api/v1/ by `juli.core.urlmount`."""

from rest_framework.routers import SimpleRouter

from .api import CallViewSet, HonourViewSet, KindViewSet, NominationViewSet

router = SimpleRouter()
router.register("honours/kinds", KindViewSet, basename="api-honours-kind")
router.register("honours/calls", CallViewSet, basename="api-honours-call")
router.register("honours/nominations", NominationViewSet, basename="api-honours-nomination")
router.register("honours/honours", HonourViewSet, basename="api-honours-honour")

urlpatterns = router.urls
