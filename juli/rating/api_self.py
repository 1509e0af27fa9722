"""API of branch rating: the self part (included by api_urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
