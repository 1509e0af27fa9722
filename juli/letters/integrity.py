"""What makes a signed letter checkable: its content hash and its verification code.

- The *content* of a letter is a canonical JSON document (sorted keys, no spaces, decimals as
  strings) of its year, title, preamble, the two organisations, the two bound posts and every
  item's section, order, content, indicator, points, evidence hint and specificity. Scores,
  evidence and signatures are not content: they do not change what was agreed.
- The *content hash* is SHA-256 over that JSON. It is frozen on the letter at the first
  signature; each signature records the hash it signed.
- The *verification code* is `<letter id>-<10 base32 characters>`: the first 50 bits of
  HMAC-SHA256(SECRET_KEY, "juli-letter:<id>:<hash>"). Nobody without the server's key can
  make a valid code, and a code names exactly one version of one letter.

`verify(code)` answers, from the database alone: `valid` (the letter is signed, its stored
hash matches the code *and* a fresh hash of its current content), `tampered` (the code is
right but the content in the database no longer matches the hash it was signed with: the
record was changed outside Juli), `superseded` (the code belongs to an earlier signed version:
the letter was changed and signed again, or is awaiting new signatures) or `unknown`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from .models import Letter, LetterEvent, Status

CODE_RE = re.compile(r"\b(\d{1,12})-([A-Z2-7]{5})-?([A-Z2-7]{5})\b")
HASH_RE = re.compile(r"(?<![0-9a-f])([0-9a-f]{64})(?![0-9a-f])")
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


def canonical_json(content: dict[str, Any]) -> str:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(letter: Letter) -> str:
    return hashlib.sha256(canonical_json(content_of(letter)).encode()).hexdigest()


def code_for(letter_id: int, digest: str) -> str:
    mac = hmac.new(
        settings.SECRET_KEY.encode(), f"juli-letter:{letter_id}:{digest}".encode(), hashlib.sha256
    ).digest()
    text = base64.b32encode(mac).decode()[:10]
    return f"{letter_id}-{text[:5]}-{text[5:]}"


def verification_code(letter: Letter) -> str:
    """The code printed on a signed letter, or "" before both parties signed."""
    if letter.status not in SIGNED_STATES or not letter.content_hash:
        return ""
    return code_for(letter.pk, letter.content_hash)


def normalise_code(raw: str) -> str:
    match = CODE_RE.search((raw or "").strip().upper())
    if not match:
        return ""
    return f"{int(match.group(1))}-{match.group(2)}-{match.group(3)}"


@dataclass
class Verdict:
    state: str  # valid | tampered | superseded | unknown
    letter: Letter | None = None
    code: str = ""


def verify(raw_code: str) -> Verdict:
    code = normalise_code(raw_code)
    if not code:
        return Verdict("unknown")
    letter_id = int(code.split("-", 1)[0])
    letter = (
        Letter.objects.select_related("issuer_org", "receiver_org").filter(pk=letter_id).first()
    )
    if letter is None:
        return Verdict("unknown", code=code)
    if letter.content_hash and hmac.compare_digest(code_for(letter.pk, letter.content_hash), code):
        if letter.status not in SIGNED_STATES:
            return Verdict("superseded", letter, code)
        if content_hash(letter) != letter.content_hash:
            return Verdict("tampered", letter, code)
        return Verdict("valid", letter, code)
    # An earlier signed version? Every signature event records the hash it froze.
    earlier = (
        LetterEvent.objects.filter(letter=letter, action="countersign")
        .exclude(content_hash="")
        .values_list("content_hash", flat=True)
    )
    if any(hmac.compare_digest(code_for(letter.pk, h), code) for h in earlier):
        return Verdict("superseded", letter, code)
    return Verdict("unknown", code=code)


MAX_PDF_BYTES = 15 * 1024 * 1024
#: How every PDF file begins.
PDF_MAGIC = b"%PDF-"


@dataclass
class PdfVerdict:
    verdict: Verdict
    #: The file is byte for byte a PDF Juli issued for this letter.
    issued_copy: bool = False
    #: The hash printed in the file (empty if none was found).
    printed_hash: str = ""


def pdf_text(data: bytes) -> str:
    """The text of a PDF, through poppler's pdftotext (no network, bounded time)."""
    import subprocess  # noqa: S404 - a fixed local binary, no shell
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(data)
        handle.flush()
        try:
            done = subprocess.run(  # noqa: S603
                ["/usr/bin/pdftotext", "-layout", handle.name, "-"],
                capture_output=True,
                timeout=20,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            return ""
    return done.stdout.decode("utf-8", "replace")


def verify_pdf(data: bytes) -> PdfVerdict:
    """Check an uploaded PDF: its printed code and hash, and whether Juli issued this file."""
    from .models import LetterPrint

    if not data.startswith(PDF_MAGIC) or len(data) > MAX_PDF_BYTES:
        return PdfVerdict(Verdict("unknown"))
    text = pdf_text(data)
    compact = re.sub(r"\s+", "", text)
    match = CODE_RE.search(text.upper())
    if not match:
        return PdfVerdict(Verdict("unknown"))
    verdict = verify(match.group(0))
    found = HASH_RE.search(compact)
    printed = found.group(1) if found else ""
    if verdict.letter is None:
        return PdfVerdict(verdict, printed_hash=printed)
    digest = hashlib.sha256(data).hexdigest()
    issued = LetterPrint.objects.filter(letter=verdict.letter, sha256=digest).exists()
    if verdict.state == "valid" and printed != verdict.letter.content_hash:
        verdict = Verdict("tampered", verdict.letter, verdict.code)
    return PdfVerdict(verdict, issued_copy=issued, printed_hash=printed)
