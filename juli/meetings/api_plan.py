"""REST endpoints of the meetings app: plan (included by api_urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
