"""Every write of meetings, by part: `plan` (meetings, parts, agenda, roster, documents,
cancelling), `attendance` (sign-in, proxy sign-in, leave, lateness), `minutes` (versions,
resolutions, confirmation, make-up items), `rules` (frequency rules, reminders).

Other apps import `juli.meetings.actions` and call the part's functions."""

from . import attendance, minutes, plan, rules

__all__ = ["attendance", "minutes", "plan", "rules"]
