"""Daily bulletins."""
