"""/api/v1/: token auth, the caller, each app's read endpoints, the schema and its doc pages."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from juli.orgs import api as orgs_api

from .auth import TokenView
from .views import MeView


class RedocView(SpectacularRedocView):
    # Same page without the web-font links to a CDN.
    template_name = "api/redoc.html"


class Router(DefaultRouter):
    # No ".json" twins of every route: the schema and the clients need one URL per resource.
    include_format_suffixes = False


router = Router()
router.register("units", orgs_api.UnitViewSet, basename="api-unit")
router.register("orgs", orgs_api.OrgViewSet, basename="api-org")
router.register("areas", orgs_api.AreaViewSet, basename="api-area")
router.register("people", orgs_api.PersonViewSet, basename="api-person")
router.register("posts", orgs_api.PostViewSet, basename="api-post")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("me/", MeView.as_view(), name="api-me"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", RedocView.as_view(url_name="api-schema"), name="api-redoc"),
    *router.urls,
    # Each app keeps its own API routes beside its code.
    path("", include("juli.core.api_urls")),
    path("", include("juli.cases.api_urls")),
    path("", include("juli.stats.api_urls")),
    path("", include("juli.bulletins.api_urls")),
    path("", include("juli.rankings.api_urls")),
    path("", include("juli.notify.api_urls")),
    path("", include("juli.letters.api_urls")),
    path("", include("juli.duties.api_urls")),
]
