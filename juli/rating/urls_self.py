"""Pages of branch rating: the self part (included by urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
