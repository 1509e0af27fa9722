"""Office pages of the inspection loop (placeholder routes until the pages land)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path


def _not_yet(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


urlpatterns = [
    path("cases/", _not_yet, name="case-list"),
    path("points/", _not_yet, name="point-list"),
    path("cases/map/", _not_yet, name="case-map"),
]
