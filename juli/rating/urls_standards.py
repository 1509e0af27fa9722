"""Pages of branch rating: the standards part (included by urls.py)."""

from django.urls import path

from . import views_standards as v

urlpatterns = [
    path("rating/standards/", v.standard_list, name="rating-standards"),
    path("rating/standards/new/", v.standard_new, name="rating-standard-new"),
    path("rating/standards/<int:pk>/", v.standard_detail, name="rating-standard"),
    path("rating/standards/<int:pk>/copy/", v.standard_copy, name="rating-standard-copy"),
    path(
        "rating/standards/<int:pk>/edit/<slug:part>/",
        v.standard_edit,
        name="rating-standard-edit",
    ),
    path(
        "rating/standards/<int:pk>/edit/<slug:part>/<int:item>/",
        v.standard_edit,
        name="rating-standard-edit-item",
    ),
]
