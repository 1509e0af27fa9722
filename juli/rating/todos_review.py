"""To-dos of the organiser side (assessments to review, objections to answer, rounds to publish)."""
