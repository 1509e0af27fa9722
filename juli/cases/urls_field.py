"""Phone pages of the inspection loop (placeholder routes until the pages land)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path


def _not_yet(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


urlpatterns = [
    path("m/", _not_yet, name="field-home"),
]
