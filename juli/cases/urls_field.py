"""Phone pages of the inspection loop, under /m/ (the service worker's scope)."""

from django.urls import path

from . import views_field

urlpatterns = [
    path("m/", views_field.home, name="field-home"),
    path("m/sw.js", views_field.service_worker, name="field-sw"),
    path("m/manifest.webmanifest", views_field.manifest, name="field-manifest"),
    path("m/report/", views_field.report, name="field-report"),
    path("m/reports/", views_field.my_reports, name="field-my-reports"),
    path("m/points/<int:pk>/inspect/", views_field.inspect, name="field-inspect"),
    path("m/cases/<int:pk>/", views_field.case_detail, name="field-case"),
]
