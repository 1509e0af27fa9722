"""The honour certificate as a signable document kind (`juli.core.signing`): codes
"HR-<id>-XXXXX-XXXXX", checked on `/verify/`. The content hash is frozen at conferral; a
revoked honour's code answers "outdated" with this kind's wording. Found by core's lazy
autodiscovery; nothing imports this module but the app's own."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from juli.core.signing import DocumentKind, register

from .models import Honour

KEY = "honour"


def content_of(honour: Honour) -> dict[str, Any]:
    """What the certificate states: number, honour, recipient, conferring organisation, year
    and date (dates as strings)."""
    kind = honour.call.kind
    return {
        "number": honour.number,
        "honour": kind.name,
        "recipient": honour.holder_name,
        "recipient_org": honour.org_id or 0,
        "recipient_person": honour.person_id or 0,
        "conferred_by": kind.org.name,
        "year": honour.call.year,
        "conferred_on": honour.conferred_on.isoformat(),
    }


HONOUR = register(
    DocumentKind(
        key=KEY,
        label=_("honour certificate"),
        model=Honour,
        content=content_of,
        lookup=lambda pk: (
            Honour.objects.select_related("call", "call__kind", "call__kind__org")
            .filter(pk=pk)
            .first()
        ),
        frozen_hash=lambda honour: honour.content_hash,
        is_signed=lambda honour: honour.status != Honour.Status.REVOKED,
        verify_template="honours/_verify_facts.html",
        code_prefix="HR",
        texts={
            "title": _("Verify an honour certificate"),
            "superseded": _(
                "This honour was revoked by a decision of the organisation that conferred "
                "it: the certificate is no longer valid."
            ),
            "tampered": _(
                "The code is genuine, but the honour's record no longer matches the "
                "certificate. Ask the organisation that conferred it."
            ),
        },
    )
)
