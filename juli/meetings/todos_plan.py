"""To-dos of meetings: plan."""
