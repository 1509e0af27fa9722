"""Signals of the bulletins app (its own `notices.py` turns them into notifications)."""

from django.dispatch import Signal

#: Sent after a bulletin is published, once, on commit: sender=Bulletin, bulletin=the row,
#: actor=the user who published it (None when published automatically).
bulletin_published = Signal()

# Connects the notice of a published bulletin wherever the signal can be sent (not only
# once something has read the notice registry).
from . import notices  # noqa: E402, F401
