"""Pages of branch rating: the results part (included by urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
