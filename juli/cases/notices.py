"""The notification kinds of the case loop (found by `juli.core.notices`).

A case row carries no link of its own: the bell sends each reader to the case page of their
role (the office page, or the phone page for unit staff and inspectors)."""

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
