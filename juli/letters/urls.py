"""Pages of the letters app."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
