"""Signals of the rankings app (the notifications app listens to them)."""

from django.dispatch import Signal

#: Sent after a weekly ranking is published, once, on commit: sender=Ranking, ranking=the
#: row, actor=the user who published it (None when published automatically).
ranking_published = Signal()
