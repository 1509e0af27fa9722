"""Pages of the meetings app: feed (included by urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
