"""Core's pages mounted at the site's root (`juli.core.urlmount`): the work-bench."""

from django.urls import path

from . import views_workbench

urlpatterns = [
    path("", views_workbench.workbench, name="home"),
    path("workbench/<str:key>/", views_workbench.workbench_kind, name="workbench-kind"),
]
