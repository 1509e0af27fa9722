"""The branch's honour history on its organisation page (`juli.core.panels`)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from juli.core.panels import OrgPanel, register

from .queries import honours_of_org


def _context(org: Any, user: Any) -> dict[str, Any] | None:
    if org.kind == "group":
        return None
    return {"honours": list(honours_of_org(user, org)[:50])}


HONOURS = register(
    OrgPanel("honours", _("Honours"), template="honours/_panel.html", context=_context, order=50)
)
