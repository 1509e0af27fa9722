"""Responsibility letters."""
