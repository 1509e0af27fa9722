"""Dashboards and rollups."""
