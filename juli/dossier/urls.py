"""The dossier's pages, mounted at the site's root by `juli.core.urlmount`."""

from django.urls import path

from . import views

urlpatterns = [
    path("dossier/", views.index, name="dossier-index"),
    path("dossier/<int:org_id>/<int:year>/", views.page, name="dossier"),
    path("dossier/<int:org_id>/<int:year>/pdf/", views.pdf, name="dossier-pdf"),
    path("dossier/<int:org_id>/<int:year>/zip/", views.zip_file, name="dossier-zip"),
]
