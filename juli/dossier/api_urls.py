"""The app's API routes, mounted under /api/v1/ by `juli.core.urlmount`."""

from .api import urlpatterns

__all__ = ["urlpatterns"]
