"""The notification kinds of the case loop (found by `juli.core.notices`).

A case row carries no link of its own: the bell sends each reader to the case page of their
role (the office page, or the phone page for unit staff and inspectors).

Who is told at each step, and what, is written in `juli.cases.handover`."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from juli.core.notices import NoticeKind, register
from juli.orgs.access import is_office


def case_link(notification: Any, user: Any) -> str:
    """The case page of `notification`'s case that fits `user` ("" without a case)."""
    if not notification.case_id:
        return ""
    return reverse("case-detail" if is_office(user) else "field-case", args=[notification.case_id])


DISPATCHED = register(NoticeKind("dispatched", _("Case dispatched"), link=case_link))
SENT_BACK = register(NoticeKind("sent_back", _("Rectification sent back"), link=case_link))
ESCALATED = register(NoticeKind("escalated", _("Overdue case escalated"), link=case_link))

# Every hand-over of the loop (issue 14): whoever must act next is told, the actor never.
REPORTED = register(
    NoticeKind(
        "reported",
        _("New case to accept"),
        description=_("A case was reported: the street office accepts or rejects it."),
        link=case_link,
    )
)
RECTIFIED = register(
    NoticeKind(
        "rectified",
        _("Case rectified, to verify"),
        description=_("The unit reported a case rectified: inspectors and officers verify it."),
        link=case_link,
    )
)
VERIFIED = register(
    NoticeKind(
        "verified",
        _("Case verified, to close"),
        description=_("A rectification was verified: the street office closes the case."),
        link=case_link,
    )
)
CLOSED = register(
    NoticeKind(
        "closed",
        _("Reported case closed"),
        description=_("A case was closed: its reporter is told the outcome."),
        link=case_link,
    )
)
REJECTED = register(
    NoticeKind(
        "rejected",
        _("Reported case not accepted"),
        description=_("A case was not accepted: its reporter is told why."),
        link=case_link,
    )
)
DEFERRED = register(
    NoticeKind(
        "deferred",
        _("Case deferred"),
        description=_("A case was put on hold: its unit is told why."),
        link=case_link,
    )
)
REOPENED = register(
    NoticeKind(
        "reopened",
        _("Case reopened"),
        description=_("A closed case was reopened: its unit will have to act again."),
        link=case_link,
    )
)
