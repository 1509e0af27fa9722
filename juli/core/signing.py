"""Signable documents: the registry of kinds, the content hash, the signer's password check,
and the abstract signature and print rows.

A kind of document that parties sign (a responsibility letter, a pairing agreement, an
appointment letter, a certificate, a mediation agreement) is a `DocumentKind`. Its app
declares it in `signables.py` in its own folder:

    from juli.core.signing import DocumentKind, register

    register(DocumentKind(key="letter", label=_("responsibility letter"), model=Letter, ...))

Core finds these modules itself: the first call that reads the registry runs
`autodiscover_modules("signables")` once. Registering the same kind again is harmless;
another kind under a taken key, model or code prefix raises `ImproperlyConfigured`.

- The *content* of a document is what its kind's `content(doc)` returns: a JSON-able dict of
  what was agreed (never scores, evidence or signatures). `canonical_json` writes it with
  sorted keys, no spaces and the characters as they are; `content_hash` is SHA-256 over that.
  Decimals and dates must already be strings in the dict: `canonical_json` refuses anything
  JSON cannot write, so that a hash never depends on a default conversion.
- `confirm_signer(user, password, otp)` checks that the person at the device is the signer:
  their password, and their TOTP code when they have a confirmed device.
- `AbstractSignature` and `AbstractPrint` are the columns every signature and every issued
  PDF has; the concrete model adds the foreign key to its document (and, for signatures,
  the side with its choices, the image folder and the one-valid-signature constraint).

Verification codes and the public check page are in `juli.core.verification`.
"""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .discovery import Discovery

#: The module each app declares its kinds in.
MODULE = "signables"


def _no_hashes(doc: Any) -> Iterable[str]:
    return ()


def _no_context(doc: Any) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class DocumentKind:
    """One kind of signable document.

    key             short lower-case name ("letter"); also the HMAC namespace of its codes
                    ("juli-<key>:<id>:<hash>"), so it must never change once codes are printed
    label           what a reader calls it (lazy translation): "responsibility letter"
    model           the document's model
    content         doc → its canonical content (a JSON-able dict; see `canonical_json`)
    lookup          id → the document with that id, or None (the public check page calls it
                    for anyone: load only what `verify_context` and `content` need)
    frozen_hash     doc → the content hash frozen at its first signature ("" before)
    is_signed       doc → whether every party has signed (only then a code is printed)
    earlier_hashes  doc → the hashes of its earlier signed versions (their codes answer
                    "superseded"); by default none
    verify_context  doc → what `verify_template` shows of a valid document (parties, who
                    signed and when); called only for a valid code
    verify_template the partial rendered inside the verdict of a valid document
    code_prefix     upper-case letters before the id in the code ("PA" → "PA-12-ABCDE-FGHIJ");
                    "" for at most one kind (letters, whose codes were printed without one)
    print_model     the `AbstractPrint` model of issued PDFs, if the kind issues PDFs
    print_field     its foreign key to the document ("letter")
    texts           the check page's wording for this kind, over `verification.TEXTS`
                    (keys: title, intro, not_pdf, no_code, tampered, superseded, unknown)
    """

    key: str
    label: Any
    model: type[models.Model]
    content: Callable[[Any], dict[str, Any]]
    lookup: Callable[[int], Any]
    frozen_hash: Callable[[Any], str]
    is_signed: Callable[[Any], bool]
    earlier_hashes: Callable[[Any], Iterable[str]] = _no_hashes
    verify_context: Callable[[Any], dict[str, Any]] = _no_context
    verify_template: str = ""
    code_prefix: str = ""
    print_model: type[models.Model] | None = None
    print_field: str = ""
    texts: Mapping[str, Any] = field(default_factory=dict)

    def __hash__(self) -> int:  # `texts` is a dict: hash by the key, which is unique
        return hash(self.key)


_kinds: dict[str, DocumentKind] = {}
_lock = threading.RLock()
_discovery = Discovery(MODULE)


def register(kind: DocumentKind) -> DocumentKind:
    """Add `kind` to the registry (idempotent). Returns it."""
    if not kind.key or kind.key != kind.key.lower() or ":" in kind.key:
        raise ImproperlyConfigured(f"Signable kind key {kind.key!r}: lower case, no colon.")
    if kind.code_prefix and not (kind.code_prefix.isascii() and kind.code_prefix.isalpha()):
        raise ImproperlyConfigured(f"Code prefix {kind.code_prefix!r}: letters A-Z only.")
    if kind.code_prefix != kind.code_prefix.upper() or len(kind.code_prefix) > 4:
        raise ImproperlyConfigured(f"Code prefix {kind.code_prefix!r}: 1-4 upper-case letters.")
    with _lock:
        known = _kinds.get(kind.key)
        if known is not None:
            if known == kind:
                return known
            raise ImproperlyConfigured(f"Signable kind {kind.key!r} is already registered.")
        for other in _kinds.values():
            if other.model is kind.model:
                raise ImproperlyConfigured(
                    f"{kind.model.__name__} is already the signable kind {other.key!r}."
                )
            if other.code_prefix == kind.code_prefix:
                raise ImproperlyConfigured(
                    f"Code prefix {kind.code_prefix!r} is already used by {other.key!r}."
                )
        _kinds[kind.key] = kind
    return kind


def unregister(key: str) -> None:
    """Remove a kind (for tests that register their own)."""
    with _lock:
        _kinds.pop(key, None)


def _discover() -> None:
    _discovery()


def kinds() -> list[DocumentKind]:
    """Every registered kind, in the order they were registered."""
    _discover()
    return list(_kinds.values())


def get_kind(key: str) -> DocumentKind:
    """The kind registered under `key`; `LookupError` if none."""
    _discover()
    try:
        return _kinds[key]
    except KeyError:
        raise LookupError(f"No signable kind {key!r}.") from None


def kind_of(doc: models.Model | type[models.Model]) -> DocumentKind:
    """The kind of a document (or of its model); `LookupError` if it is not signable."""
    _discover()
    model = doc if isinstance(doc, type) else type(doc)
    for kind in _kinds.values():
        if issubclass(model, kind.model):
            return kind
    raise LookupError(f"{model.__name__} is not a signable document kind.")


def kind_by_prefix(prefix: str) -> DocumentKind | None:
    _discover()
    for kind in _kinds.values():
        if kind.code_prefix == prefix:
            return kind
    return None


# --- Content ---------------------------------------------------------------------------------


def canonical_json(content: Mapping[str, Any]) -> str:
    """`content` as one canonical string: sorted keys, no spaces, characters as they are."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def hash_content(content: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of `content`."""
    return hashlib.sha256(canonical_json(content).encode()).hexdigest()


def content_hash(doc: models.Model, kind: DocumentKind | None = None) -> str:
    """The hash of `doc`'s current content, through its kind's `content`."""
    kind = kind or kind_of(doc)
    return hash_content(kind.content(doc))


# --- The signer ------------------------------------------------------------------------------


def confirm_signer(
    user: Any, password: str, otp: str = "", *, error: type[ValidationError] = ValidationError
) -> bool:
    """Check `password` (and `otp` when `user` has a confirmed TOTP device) for `user`.

    Returns whether a second factor was checked. Refusals raise `error` with the code
    `password_required`, `wrong_password`, `otp_required` or `wrong_otp`. Each wrong try of a
    TOTP code counts against the device (django-otp's throttling).
    """
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if not password:
        raise error(_("Enter your password to sign."), code="password_required")
    if not user.check_password(password):
        raise error(_("The password is not right."), code="wrong_password")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return False
    otp = (otp or "").strip()
    if not otp:
        raise error(_("Enter the code from your authenticator app."), code="otp_required")
    if not device.verify_token(otp):
        raise error(_("That code is not right."), code="wrong_otp")
    return True


# --- Rows ------------------------------------------------------------------------------------


class SignatureMethod(models.TextChoices):
    DRAWN = "drawn", gettext_lazy("Drawn signature")
    PASSWORD = "password", gettext_lazy("Confirmed with password")


class AbstractSignature(models.Model):
    """One party's signature of one version of a document. A voided signature stays, with
    when and why it was voided.

    The concrete model adds the foreign key to its document, `side` with its choices and the
    constraint "one valid signature per side", and may set `image`'s folder by redeclaring it.
    """

    Method = SignatureMethod

    post = models.ForeignKey("orgs.Post", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("orgs.Person", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(
        gettext_lazy("signing method"), max_length=8, choices=SignatureMethod.choices
    )
    image = models.FileField(
        gettext_lazy("signature image"), upload_to="signatures/%Y/", blank=True
    )
    image_sha256 = models.CharField(max_length=64, blank=True)
    second_factor = models.BooleanField(gettext_lazy("second factor used"), default=False)
    content_hash = models.CharField(gettext_lazy("signed content hash"), max_length=64)
    signed_at = models.DateTimeField(gettext_lazy("signed at"), default=timezone.now)
    client_uuid = models.UUIDField(gettext_lazy("client id"), unique=True, default=uuid.uuid4)
    voided_at = models.DateTimeField(gettext_lazy("voided at"), null=True, blank=True)
    void_reason = models.CharField(gettext_lazy("why voided"), max_length=300, blank=True)

    class Meta:
        abstract = True


class AbstractPrint(models.Model):
    """A PDF Juli issued: its SHA-256 lets the check page recognise an unaltered copy.

    The concrete model adds the foreign key to its document (the kind's `print_field`).
    """

    sha256 = models.CharField(max_length=64, db_index=True)
    content_hash = models.CharField(max_length=64, blank=True)
    printed_at = models.DateTimeField(default=timezone.now)
    printed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        abstract = True


def pdf_sha256(pdf: bytes) -> str:
    """The digest an `AbstractPrint` row stores for a PDF."""
    return hashlib.sha256(pdf).hexdigest()
