"""What makes a signed letter checkable: its content and, through core's signing kit, its
content hash and its verification code.

- The *content* of a letter is a canonical JSON document (sorted keys, no spaces, decimals as
  strings) of its year, title, preamble, the two organisations, the two bound posts and every
  item's section, order, content, indicator, points, evidence hint and specificity. Scores,
  evidence and signatures are not content: they do not change what was agreed.
- The *content hash* is SHA-256 over that JSON (`juli.core.signing.hash_content`). It is
  frozen on the letter at the first signature; each signature records the hash it signed.
- The *verification code* is `<letter id>-<10 base32 characters>`
  (`juli.core.verification.code_for`, HMAC namespace "juli-letter").

The letter kind itself is registered in `signables.py`; `verify` and `verify_pdf` here are
the core checks restricted to letters, with the letter under its own name (`Verdict.letter`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from juli.core import verification
from juli.core.signing import canonical_json, hash_content
from juli.core.verification import MAX_PDF_BYTES, PDF_MAGIC, normalise_code, pdf_text

from .models import Letter, Status

__all__ = [
    "MAX_PDF_BYTES",
    "PDF_MAGIC",
    "SIGNED_STATES",
    "PdfVerdict",
    "Verdict",
    "canonical_json",
    "code_for",
    "content_hash",
    "content_of",
    "normalise_code",
    "pdf_text",
    "verification_code",
    "verify",
    "verify_pdf",
]

KIND = "letter"
SIGNED_STATES = frozenset({Status.SIGNED, Status.SELF_ASSESSED, Status.REVIEWED, Status.PUBLISHED})


def content_of(letter: Letter) -> dict[str, Any]:
    """The canonical content of `letter` (reads its items: one query)."""
    items = letter.items.order_by("order", "id")
    return {
        "letter": letter.pk,
        "year": letter.year,
        "title": letter.title,
        "preamble": letter.preamble,
        "issuer_org": [letter.issuer_org_id, letter.issuer_org.name],
        "receiver_org": [letter.receiver_org_id, letter.receiver_org.name],
        "issuer_post": letter.issuer_post_id,
        "receiver_post": letter.receiver_post_id,
        "items": [
            {
                "section": i.section,
                "order": i.order,
                "content": i.content,
                "indicator": i.indicator,
                "points": f"{i.points:.1f}",
                "evidence_hint": i.evidence_hint,
                "specific": i.specific,
            }
            for i in items
        ],
    }


def content_hash(letter: Letter) -> str:
    return hash_content(content_of(letter))


def code_for(letter_id: int, digest: str) -> str:
    return verification.code_for(KIND, letter_id, digest)


def verification_code(letter: Letter) -> str:
    """The code printed on a signed letter, or "" before both parties signed."""
    return verification.verification_code(letter, KIND)


@dataclass
class Verdict:
    state: str  # valid | tampered | superseded | unknown
    letter: Letter | None = None
    code: str = ""


@dataclass
class PdfVerdict:
    verdict: Verdict
    #: The file is byte for byte a PDF Juli issued for this letter.
    issued_copy: bool = False
    #: The hash printed in the file (empty if none was found).
    printed_hash: str = ""


def _letter_verdict(verdict: verification.Verdict) -> Verdict:
    return Verdict(verdict.state, verdict.document, verdict.code)


def verify(raw_code: str) -> Verdict:
    return _letter_verdict(verification.verify(raw_code, only=KIND))


def verify_pdf(data: bytes) -> PdfVerdict:
    """Check an uploaded PDF: its printed code and hash, and whether Juli issued this file."""
    checked = verification.verify_pdf(data, only=KIND)
    return PdfVerdict(_letter_verdict(checked.verdict), checked.issued_copy, checked.printed_hash)
