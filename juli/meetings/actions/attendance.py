"""Writes of meetings: attendance."""
