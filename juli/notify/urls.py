"""Pages of the notify app."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
