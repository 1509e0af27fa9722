"""Verification codes of signed documents, and checking a code or an uploaded PDF.

- The *verification code* of a signed document is `[<prefix>-]<id>-<10 base32 characters>`:
  the first 50 bits of HMAC-SHA256(SECRET_KEY, "juli-<kind key>:<id>:<content hash>"), with
  the kind's `code_prefix` in front when it has one (letters have none: their codes were
  printed before there were other kinds). Nobody without the server's key can make a valid
  code, and a code names exactly one version of one document.
- `parse_code(text)` finds a code in typed or extracted text (case, spaces and the middle
  hyphen do not matter); a prefix that no kind uses is ignored, as the code's first
  characters were before prefixes existed.

`verify(code)` answers, from the database alone: `valid` (the document is signed, its stored
hash matches the code *and* a fresh hash of its current content), `tampered` (the code is
right but the content in the database no longer matches the hash it was signed with: the
record was changed outside Juli), `superseded` (the code belongs to an earlier signed
version, or the document awaits new signatures) or `unknown`.

`verify_pdf(data)` reads the code and the printed hash out of a PDF (poppler's pdftotext),
verifies the code, calls a valid code `tampered` when the printed hash is not the signed
one, and says whether the file is byte for byte a PDF Juli issued (the kind's `print_model`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .signing import DocumentKind, content_hash, get_kind, kind_by_prefix, pdf_sha256

CODE_RE = re.compile(r"(?:\b([A-Z]{1,4})-)?\b(\d{1,12})-([A-Z2-7]{5})-?([A-Z2-7]{5})\b")
HASH_RE = re.compile(r"(?<![0-9a-f])([0-9a-f]{64})(?![0-9a-f])")
MAX_PDF_BYTES = 15 * 1024 * 1024
#: How every PDF file begins.
PDF_MAGIC = b"%PDF-"

#: The check page's wording when no kind says otherwise (`DocumentKind.texts` overrides).
TEXTS: dict[str, Any] = {
    "title": _("Verify a signed document"),
    "intro": _(
        "Type the verification code printed on the document, or upload its PDF. Juli says "
        "whether the document is genuine and unchanged since every party signed."
    ),
    "not_pdf": _("This file is not a PDF: upload the document's PDF, or type its code."),
    "no_code": _(
        "No verification code was found in this PDF: type the code printed on the document."
    ),
    "tampered": _(
        "The code is genuine, but the document's content no longer matches the hash its "
        "parties signed. Treat this document as altered and ask the organisation that issued "
        "it."
    ),
    "superseded": _(
        "The code belongs to an earlier signed version of this document. It was changed "
        "afterwards; ask the organisation that issued it for the current version."
    ),
    "unknown": _("Juli knows no signed document with this code. Check the code as printed."),
}


def texts_for(kind: DocumentKind | None) -> dict[str, Any]:
    """The check page's wording for `kind` (the generic wording where it says nothing)."""
    return {**TEXTS, **(kind.texts if kind is not None else {})}


# --- Codes -----------------------------------------------------------------------------------


def code_for(kind: DocumentKind | str, pk: int, digest: str) -> str:
    """The code of version `digest` of document `pk` of `kind`."""
    kind = get_kind(kind) if isinstance(kind, str) else kind
    mac = hmac.new(
        settings.SECRET_KEY.encode(), f"juli-{kind.key}:{pk}:{digest}".encode(), hashlib.sha256
    ).digest()
    text = base64.b32encode(mac).decode()[:10]
    return format_code(kind, pk, text)


def format_code(kind: DocumentKind, pk: int, text: str) -> str:
    prefix = f"{kind.code_prefix}-" if kind.code_prefix else ""
    return f"{prefix}{pk}-{text[:5]}-{text[5:]}"


def verification_code(doc: Any, kind: DocumentKind | str | None = None) -> str:
    """The code printed on a signed document, or "" before every party signed."""
    from .signing import kind_of

    kind = get_kind(kind) if isinstance(kind, str) else (kind or kind_of(doc))
    digest = kind.frozen_hash(doc)
    if not digest or not kind.is_signed(doc):
        return ""
    return code_for(kind, doc.pk, digest)


@dataclass(frozen=True)
class ParsedCode:
    kind: DocumentKind
    pk: int
    #: The code as `code_for` writes it.
    code: str


def parse_code(raw: str) -> ParsedCode | None:
    """The first code in `raw` (typed, or text from a PDF), or None. A code without a known
    prefix belongs to the kind without one, if any."""
    match = CODE_RE.search((raw or "").strip().upper())
    if not match:
        return None
    prefix, number, head, tail = match.groups()
    kind = kind_by_prefix(prefix) if prefix else None
    if kind is None:
        kind = kind_by_prefix("")
    if kind is None:
        return None
    pk = int(number)
    return ParsedCode(kind, pk, format_code(kind, pk, head + tail))


def normalise_code(raw: str) -> str:
    parsed = parse_code(raw)
    return parsed.code if parsed is not None else ""


# --- Verdicts --------------------------------------------------------------------------------


@dataclass
class Verdict:
    state: str  # valid | tampered | superseded | unknown
    document: Any = None
    code: str = ""
    kind: DocumentKind | None = None


def verify(raw_code: str, *, only: str | None = None) -> Verdict:
    """Check a code. `only` restricts it to one kind's documents (others answer unknown)."""
    parsed = parse_code(raw_code)
    if parsed is None:
        return Verdict("unknown")
    kind, code = parsed.kind, parsed.code
    if only is not None and kind.key != only:
        return Verdict("unknown", code=code)
    doc = kind.lookup(parsed.pk)
    if doc is None:
        return Verdict("unknown", code=code)
    frozen = kind.frozen_hash(doc)
    if frozen and hmac.compare_digest(code_for(kind, parsed.pk, frozen), code):
        if not kind.is_signed(doc):
            return Verdict("superseded", doc, code, kind)
        if content_hash(doc, kind) != frozen:
            return Verdict("tampered", doc, code, kind)
        return Verdict("valid", doc, code, kind)
    # An earlier signed version? The kind keeps the hash of every version that was signed.
    if any(
        hmac.compare_digest(code_for(kind, parsed.pk, h), code) for h in kind.earlier_hashes(doc)
    ):
        return Verdict("superseded", doc, code, kind)
    return Verdict("unknown", code=code)


@dataclass
class PdfVerdict:
    verdict: Verdict
    #: The file is byte for byte a PDF Juli issued for this document.
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


def is_issued(kind: DocumentKind, doc: Any, digest: str) -> bool:
    """Whether a PDF with SHA-256 `digest` was issued for `doc` (False if the kind issues
    none)."""
    if kind.print_model is None:
        return False
    lookup = {kind.print_field: doc, "sha256": digest}
    return bool(kind.print_model._default_manager.filter(**lookup).exists())


def verify_pdf(data: bytes, *, only: str | None = None) -> PdfVerdict:
    """Check an uploaded PDF: its printed code and hash, and whether Juli issued this file."""
    if not data.startswith(PDF_MAGIC) or len(data) > MAX_PDF_BYTES:
        return PdfVerdict(Verdict("unknown"))
    text = pdf_text(data)
    compact = re.sub(r"\s+", "", text)
    if parse_code(text) is None:
        return PdfVerdict(Verdict("unknown"))
    verdict = verify(text, only=only)
    found = HASH_RE.search(compact)
    printed = found.group(1) if found else ""
    if verdict.document is None or verdict.kind is None:
        return PdfVerdict(verdict, printed_hash=printed)
    kind, doc = verdict.kind, verdict.document
    issued = is_issued(kind, doc, pdf_sha256(data))
    if verdict.state == "valid" and printed != kind.frozen_hash(doc):
        verdict = Verdict("tampered", doc, verdict.code, kind)
    return PdfVerdict(verdict, issued_copy=issued, printed_hash=printed)
