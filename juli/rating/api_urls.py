"""The app's API routes, mounted under /api/v1/ by `juli.core.urlmount`."""

from . import api_results, api_review, api_self, api_standards

urlpatterns = [
    *api_standards.urlpatterns,
    *api_self.urlpatterns,
    *api_review.urlpatterns,
    *api_results.urlpatterns,
]
