"""To-dos of meetings: signin."""
