"""Pages of the meetings app: compliance (included by urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
