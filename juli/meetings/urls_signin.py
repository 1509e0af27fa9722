"""Pages of the meetings app: signin (included by urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
