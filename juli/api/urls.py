"""/api/v1/: token auth, the caller, each app's read endpoints, the schema and its doc pages."""

from django.urls import include, path, re_path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework.routers import DefaultRouter

from juli.core.csp import csp_override
from juli.core.urlmount import discovered
from juli.orgs import api as orgs_api

from . import errors
from .auth import TokenView
from .views import MeView


class RedocView(SpectacularRedocView):
    # Same page without the web-font links to a CDN, started without an inline script.
    template_name = "api/redoc.html"


#: Redoc adds <style> elements while its bundle loads (before any nonce could reach them),
#: searches in a worker made from a blob: URL and always shows Redocly's logo from Redocly's
#: CDN (an intranet browser fails to load it and Redoc hides it): this page alone allows
#: those. Scripts stay as strict as everywhere (docs/security.md).
redoc_policy = csp_override(
    style_src_elem=["'self'", "'unsafe-inline'"],
    worker_src=["'self'", "blob:"],
    img_src=["'self'", "data:", "https://cdn.redoc.ly"],
)


class SwaggerView(SpectacularSwaggerSplitView):
    # The split view serves Swagger UI's start-up script at ?script instead of inline: the
    # Content-Security-Policy runs no inline script.
    template_name = "api/swagger_ui.html"


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
    path("docs/", SwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", redoc_policy(RedocView.as_view(url_name="api-schema")), name="api-redoc"),
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
# Apps added since: each installed app's `api_urls` module (juli/core/urlmount.py), then the 404.
urlpatterns += discovered("api_urls", urlpatterns)
urlpatterns += [
    # Last: any other path ending in "/" (a non-numeric id, a typo, a newline: hence [\s\S],
    # not ".") is the API's JSON 404, not Django's HTML page. Paths without the slash still
    # get CommonMiddleware's redirect to it.
    re_path(r"^[\s\S]*/$", errors.not_found, name="api-not-found"),
]
