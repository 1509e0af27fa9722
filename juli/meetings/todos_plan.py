"""To-dos of meetings: plan.

Deliberately none. "Meetings I am invited to and have not answered" would put pressure on
people for no work of theirs (the issue says no activity pressure), and "meetings to plan"
is no job of its own: what is due is the compliance reminder (`todos_rules`), and what
waits after a meeting are its minutes and make-ups (`todos_minutes`)."""
