"""Signals of the rankings app (its own `notices.py` turns them into notifications)."""

from django.dispatch import Signal

#: Sent after a weekly ranking is published, once, on commit: sender=Ranking, ranking=the
#: row, actor=the user who published it (None when published automatically).
ranking_published = Signal()

# Connects the notice of a published ranking wherever the signal can be sent (not only once
# something has read the notice registry).
from . import notices  # noqa: E402, F401
