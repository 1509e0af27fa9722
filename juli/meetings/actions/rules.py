"""Writes of meetings: rules."""
