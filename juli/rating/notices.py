"""Notification kinds of branch rating (the review side declares its own below)."""
