"""The app's API routes, mounted under /api/v1/ by `juli.core.urlmount`."""

from django.urls import path

from .api import NoteCreateView

urlpatterns = [
    path("sample/notes/", NoteCreateView.as_view(), name="api-sample-note-list"),
]
