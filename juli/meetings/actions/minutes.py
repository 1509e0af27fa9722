"""Writes of meetings: minutes."""
