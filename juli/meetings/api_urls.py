"""The app's API routes, mounted under /api/v1/ by `juli.core.urlmount`."""

from . import api_compliance, api_minutes, api_plan, api_signin

urlpatterns = [
    *api_plan.urlpatterns,
    *api_signin.urlpatterns,
    *api_minutes.urlpatterns,
    *api_compliance.urlpatterns,
]
