"""The responsibility letter as a signable document kind (`juli.core.signing`).

Its codes have no prefix (`<id>-XXXXX-XXXXX`, HMAC namespace "juli-letter"): they were printed
before other kinds existed, and `/letters/verify/` keeps answering them.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from juli.core.signing import DocumentKind, register

from . import integrity, queries
from .models import Letter, LetterEvent, LetterPrint


def _lookup(pk: int) -> Letter | None:
    return Letter.objects.select_related("issuer_org", "receiver_org").filter(pk=pk).first()


def _earlier_hashes(letter: Letter) -> list[str]:
    # Every completed signature records the hash it froze.
    return list(
        LetterEvent.objects.filter(letter=letter, action="countersign")
        .exclude(content_hash="")
        .values_list("content_hash", flat=True)
    )


def _verify_context(letter: Letter) -> dict[str, Any]:
    return {"signatures": queries.valid_signatures(letter)}


LETTER = register(
    DocumentKind(
        key="letter",
        label=_("responsibility letter"),
        model=Letter,
        content=integrity.content_of,
        lookup=_lookup,
        frozen_hash=lambda letter: letter.content_hash,
        is_signed=lambda letter: letter.status in integrity.SIGNED_STATES,
        earlier_hashes=_earlier_hashes,
        verify_context=_verify_context,
        verify_template="letters/_verify_facts.html",
        code_prefix="",
        print_model=LetterPrint,
        print_field="letter",
        texts={
            "title": _("Verify a responsibility letter"),
            "intro": _(
                "Type the verification code printed at the foot of the letter, or upload the "
                "PDF. Juli says whether the letter is genuine and unchanged since both parties "
                "signed."
            ),
            "not_pdf": _("This file is not a PDF: upload the letter's PDF, or type its code."),
            "no_code": _(
                "No verification code was found in this PDF: type the code printed at the foot "
                "of the letter."
            ),
            "tampered": _(
                "The code is genuine, but the letter's content no longer matches the hash both "
                "parties signed. Treat this letter as altered and ask the issuing organisation."
            ),
            "superseded": _(
                "The code belongs to an earlier signed version of this letter. It was changed "
                "afterwards; ask the issuing organisation for the current version."
            ),
            "unknown": _("Juli knows no signed letter with this code. Check the code as printed."),
        },
    )
)
