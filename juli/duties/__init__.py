"""Duty lists."""
