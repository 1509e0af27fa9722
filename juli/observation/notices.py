"""The notification kinds of observation visits (`juli.core.notices`): who is told is written
beside each write in `actions.py`. Found by core's lazy autodiscovery."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from juli.core.notices import NoticeKind, register

VISIT_PLANNED = register(
    NoticeKind(
        "obs_visit_planned",
        _("Observation visit planned"),
        description=_("Your branch hosts or visits an observation visit, or its date moved."),
    )
)
RECTIFICATION_ASSIGNED = register(
    NoticeKind(
        "obs_rect_assigned",
        _("Rectification item assigned"),
        description=_("An observation visit left your branch an item to rectify."),
    )
)
RECTIFICATION_ESCALATED = register(
    NoticeKind(
        "obs_rect_escalated",
        _("Rectification overdue"),
        description=_("A branch's rectification item passed its deadline without being closed."),
    )
)
