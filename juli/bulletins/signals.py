"""Signals of the bulletins app (the notifications app listens to them)."""

from django.dispatch import Signal

#: Sent after a bulletin is published, once, on commit: sender=Bulletin, bulletin=the row,
#: actor=the user who published it (None when published automatically).
bulletin_published = Signal()
