"""To-dos of meetings: rules."""
