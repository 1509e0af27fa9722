"""/open311/v2/: Open311 GeoReport v2, each endpoint in .json and .xml (see open311.py)."""

from django.urls import path

from . import open311

urlpatterns = [
    path("discovery.<str:fmt>", open311.discovery, name="open311-discovery"),
    path("services.<str:fmt>", open311.services, name="open311-services"),
    path(
        "services/<str:code>.<str:fmt>",
        open311.service_definition,
        name="open311-service-definition",
    ),
    path("requests.<str:fmt>", open311.requests_view, name="open311-requests"),
    path("requests/<str:number>.<str:fmt>", open311.request_detail, name="open311-request-detail"),
]
