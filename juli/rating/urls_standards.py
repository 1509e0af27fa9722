"""Pages of branch rating: the standards part (included by urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
