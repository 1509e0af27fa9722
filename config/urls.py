import re

from django.conf import settings
from django.urls import URLPattern, URLResolver, include, path, re_path

from juli.core.actions import PHOTO_FOLDERS
from juli.core.csp import csp_report
from juli.core.urlmount import discovered
from juli.core.views import (
    bench_baseline,
    dev_photo,
    export_download,
    export_status,
    favicon,
    healthz,
)
from juli.core.views_verify import verify_document
from juli.orgs.admin_site import admin_site

urlpatterns: list[URLPattern | URLResolver] = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon),
    path("csp-report/", csp_report, name="csp-report"),
    # i18n/setlang/ ("set_language"): Django's switch wrapped to store a signed-in user's
    # choice, in juli/orgs/account_urls.py.
    path("exports/<int:pk>/", export_status, name="export-status"),
    path("exports/<int:pk>/download/", export_download, name="export-download"),
    path("verify/", verify_document, name="document-verify"),
    path("admin/", admin_site.urls),
    path("api/v1/", include("juli.api.urls")),
    path("open311/v2/", include("juli.cases.open311_urls")),
    path("", include("juli.cases.urls_office")),
    path("", include("juli.stats.urls")),
    path("", include("juli.bulletins.urls")),
    path("", include("juli.rankings.urls")),
    path("", include("juli.notify.urls")),
    path("", include("juli.letters.urls")),
    path("", include("juli.duties.urls")),
    path("", include("juli.cases.urls_field")),
    path("", include("juli.orgs.account_urls")),
    path("", include("juli.orgs.urls")),
]
# Apps added since: each installed app's `urls` module (juli/core/urlmount.py).
urlpatterns += discovered("urls", urlpatterns)

if settings.JULI_BENCH_BASELINE:
    urlpatterns.insert(0, path("bench/baseline", bench_baseline, name="bench-baseline"))

if settings.DEBUG:
    # As nginx in production (deploy/nginx/juli.conf): of media/, only the photo folders;
    # letter evidence, signatures and exports only through their views, which check access.
    urlpatterns += [
        re_path(
            rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<folder>{'|'.join(PHOTO_FOLDERS)})"
            r"/(?P<path>.+)$",
            dev_photo,
        )
    ]
