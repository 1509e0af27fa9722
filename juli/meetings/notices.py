"""The notification kinds of meetings (`juli.core.notices`). Who is told, with what, is
written beside each write (`actions/`). Found by core's lazy autodiscovery."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from juli.core.notices import NoticeKind, register

MEETING_PLANNED = register(
    NoticeKind(
        "meeting_planned",
        _("Meeting planned"),
        description=_("A meeting you are invited to was planned or moved."),
    )
)
MEETING_CANCELLED = register(
    NoticeKind(
        "meeting_cancelled",
        _("Meeting cancelled"),
        description=_("A meeting you were invited to was cancelled."),
    )
)
MINUTES_TO_CONFIRM = register(
    NoticeKind(
        "minutes_to_confirm",
        _("Minutes to confirm"),
        description=_("The minutes of a meeting you presided over await your confirmation."),
    )
)
MINUTES_CONFIRMED = register(
    NoticeKind(
        "minutes_confirmed",
        _("Minutes confirmed"),
        description=_("The minutes of a meeting were confirmed; decisions with owners start."),
    )
)
MAKE_UP_DUE = register(
    NoticeKind(
        "make_up_due",
        _("Make-up due"),
        description=_("You missed a party lecture or a members' assembly and owe a make-up."),
    )
)
COMPLIANCE_DUE = register(
    NoticeKind(
        "meetings_due",
        _("Meetings due soon"),
        description=_("A required meeting of the organisation is due within a week."),
    )
)
