"""Pages of the rankings app."""

from django.urls import path

from . import views as v

urlpatterns = [
    path("rankings/", v.ranking_index, name="ranking-index"),
    path("rankings/district/<int:pk>/", v.ranking_district, name="ranking-district"),
    path("rankings/district/<int:pk>/settings/", v.ranking_settings, name="ranking-settings"),
    path("rankings/district/<int:pk>/compute/", v.ranking_compute, name="ranking-compute"),
    path("rankings/<int:pk>/publish/", v.ranking_publish, name="ranking-publish"),
    path("rankings/<int:pk>/ranking.pdf", v.ranking_pdf, name="ranking-pdf"),
    path("rankings/<int:pk>/ranking.xlsx", v.ranking_xlsx, name="ranking-xlsx"),
]
