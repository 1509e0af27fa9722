"""Pages of branch rating: the review part (included by urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
