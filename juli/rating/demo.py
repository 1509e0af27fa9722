"""The rating demo: each part declares its step in its own module."""

from . import demo_rounds, demo_standards

__all__ = ["demo_rounds", "demo_standards"]
