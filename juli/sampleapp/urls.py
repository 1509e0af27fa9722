"""The app's pages, mounted at the site's root by `juli.core.urlmount`."""

from django.urls import path

from . import views

urlpatterns = [
    path("sample/notes/", views.note_list, name="sample-note-list"),
    path("sample/notes/new/", views.note_new, name="sample-note-new"),
    path("sample/notes/<int:pk>/", views.note_detail, name="sample-note-detail"),
    path("sample/notes/<int:pk>/sign/", views.note_sign, name="sample-note-sign"),
]
