"""Pages of the meetings app: minutes (included by urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
