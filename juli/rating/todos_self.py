"""To-dos of the branch side (self-assessments to fill and submit)."""
