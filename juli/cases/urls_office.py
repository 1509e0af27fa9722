"""Office pages of the inspection loop: cases, the map, points and the working calendar."""

from django.urls import include, path

from . import views_office as v

urlpatterns = [
    path("cases/", v.case_list, name="case-list"),
    path("cases/map/", v.case_map, name="case-map"),
    path("cases/export/", v.case_export_start, name="case-export"),
    path("cases/export/<int:pk>/", v.case_export_status, name="case-export-status"),
    path("cases/export/<int:pk>/download/", v.case_export_download, name="case-export-download"),
    path("cases/map/data/", v.case_map_data, name="case-map-data"),
    path("cases/<int:pk>/", v.case_detail, name="case-detail"),
    path("cases/<int:pk>/act/<slug:action>/", v.case_act, name="case-act"),
    path("cases/<int:pk>/publication/", v.case_publication, name="case-publication"),
    path("public-feed/", v.public_feed_settings, name="public-feed-settings"),
    path("points/", v.point_list, name="point-list"),
    path("points/export.xlsx", v.point_export, name="point-export"),
    path("points/template.xlsx", v.point_template, name="point-template"),
    path("points/import/", v.point_import, name="point-import"),
    path("points/<int:pk>/", v.point_detail, name="point-detail"),
    path("calendar/", v.calendar, name="calendar"),
    path("", include("juli.cases.urls_plan")),
]
