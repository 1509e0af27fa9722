"""Placeholder: routes arrive with the feature."""

urlpatterns: list = []
