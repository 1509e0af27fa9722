"""The core app's API routes: staged photo uploads."""

from django.urls import path

from .api import UploadCreateView, UploadDetailView

urlpatterns = [
    path("uploads/", UploadCreateView.as_view(), name="api-upload-list"),
    path("uploads/<uuid:pk>/", UploadDetailView.as_view(), name="api-upload-detail"),
]
