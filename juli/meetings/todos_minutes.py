"""To-dos of meetings: minutes."""
