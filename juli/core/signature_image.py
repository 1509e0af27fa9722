"""A drawn signature as the pad sends it: a PNG data URL. Trust nothing of it.

Shared by every signable document kind (`juli.core.signing`): an app's signing action calls
`clean_signature` before it opens its transaction and stores `png` and `sha256` on its
signature row (`AbstractSignature.image`, `image_sha256`).

`clean_signature(data_url)` accepts only `data:image/png;base64,…`, caps the encoded and the
decoded size, checks the PNG magic bytes, the dimensions and that the whole file decodes,
refuses a blank pad (too few inked pixels), and re-encodes the image as a fresh PNG (no
text chunks or other metadata survive). Refusals are `ValidationError`s with a code from
`REFUSALS`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageChops, UnidentifiedImageError

PREFIX = "data:image/png;base64,"
MAX_BYTES = 300 * 1024
MAX_EDGE = 2400
MIN_WIDTH, MIN_HEIGHT = 80, 30
#: A signature must ink at least this many pixels and this share of the pad (per mille).
MIN_INK_PIXELS = 60
MIN_INK_PERMILLE = 1
IEND = b"\x00\x00\x00\x00IEND\xaeB`\x82"
REFUSALS = ("empty", "not_png", "too_large", "bad_size", "truncated", "blank")


@dataclass(frozen=True)
class CleanSignature:
    png: bytes
    width: int
    height: int
    sha256: str


def _refuse(code: str) -> ValidationError:
    messages = {
        "empty": _("Draw your signature first."),
        "not_png": _("The signature must be a PNG image from the signature pad."),
        "too_large": _("The signature image is too large."),
        "bad_size": _("The signature image has an impossible size."),
        "truncated": _("The signature image is damaged. Draw it again."),
        "blank": _("The signature pad is empty. Draw your signature."),
    }
    return ValidationError(messages[code], code=code)


def clean_signature(data_url: str) -> CleanSignature:
    if not data_url:
        raise _refuse("empty")
    if not data_url.startswith(PREFIX):
        raise _refuse("not_png")
    encoded = data_url[len(PREFIX) :]
    if len(encoded) > MAX_BYTES * 4 // 3 + 4:
        raise _refuse("too_large")
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise _refuse("not_png") from None
    if not raw:
        raise _refuse("empty")
    if len(raw) > MAX_BYTES:
        raise _refuse("too_large")
    if not raw.startswith(b"\x89PNG\r\n\x1a\n"):
        raise _refuse("not_png")
    # A complete PNG ends with its IEND chunk. Checked by hand because WeasyPrint, once
    # imported, sets Pillow's LOAD_TRUNCATED_IMAGES for the whole process.
    if not raw.endswith(IEND):
        raise _refuse("truncated")
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            if probe.format != "PNG":
                raise _refuse("not_png")
            width, height = probe.size
            if not (MIN_WIDTH <= width <= MAX_EDGE and MIN_HEIGHT <= height <= MAX_EDGE):
                raise _refuse("bad_size")
            probe.verify()  # every chunk's CRC, whatever LOAD_TRUNCATED_IMAGES says
        with Image.open(io.BytesIO(raw)) as again:
            again.load()
            image = again.convert("RGBA")
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise _refuse("truncated") from None
    # Ink: a visible (alpha) and dark pixel. A blank pad is transparent or all white.
    alpha = image.getchannel("A").point(lambda a: 255 if a > 64 else 0)
    dark = image.convert("L").point(lambda v: 255 if v < 160 else 0)
    ink = ImageChops.multiply(alpha, dark)
    inked = width * height - ink.histogram()[0]
    if inked < MIN_INK_PIXELS or inked * 1000 < MIN_INK_PERMILLE * width * height:
        raise _refuse("blank")
    # Re-encode: black strokes on transparency, nothing else carried over.
    out = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    out.putalpha(ink)
    buffer = io.BytesIO()
    out.save(buffer, format="PNG", optimize=True)
    png = buffer.getvalue()
    return CleanSignature(png, width, height, hashlib.sha256(png).hexdigest())
