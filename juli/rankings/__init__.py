"""Weekly rankings."""
