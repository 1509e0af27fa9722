"""Pages of the bulletins app."""

from django.urls import path

from . import views as v

urlpatterns = [
    path("bulletins/", v.bulletin_list, name="bulletin-list"),
    path("bulletins/generate/", v.bulletin_generate, name="bulletin-generate"),
    path("bulletins/settings/", v.bulletin_settings, name="bulletin-settings"),
    path("bulletins/<int:pk>/", v.bulletin_detail, name="bulletin-detail"),
    path("bulletins/<int:pk>/notes/", v.bulletin_notes, name="bulletin-notes"),
    path("bulletins/<int:pk>/publish/", v.bulletin_publish, name="bulletin-publish"),
    path("bulletins/<int:pk>/regenerate/", v.bulletin_regenerate, name="bulletin-regenerate"),
    path("bulletins/<int:pk>/cases/<slug:figure>/", v.bulletin_cases, name="bulletin-cases"),
    path("bulletins/<int:pk>/bulletin.pdf", v.bulletin_pdf, name="bulletin-pdf"),
    path("bulletins/<int:pk>/bulletin.xlsx", v.bulletin_xlsx, name="bulletin-xlsx"),
]
