"""Files people attach as documents (letter evidence, meeting materials, minutes
attachments): a photo, a PDF, or a Word, Excel or PowerPoint file, at most 20 MB.

Nothing the client says is trusted: a photo goes through `uploads.clean_image` (re-encoded,
metadata dropped), a document must start with the bytes of the format its name claims.
`clean_attachment` returns what to store or raises `AttachmentRefused` with a code
(`too_large`, `unsupported_format`, `empty`, `mismatch`; a refused photo raises what
`clean_image` raises); each app turns it into its own error class (at the form's file
field, in the API's error shape)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from .uploads import clean_image

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
_OOXML = "application/vnd.openxmlformats-officedocument"
#: Documents accepted besides photos: the name's ending → (first bytes, content type).
DOCUMENT_KINDS: dict[str, tuple[bytes, str]] = {
    "pdf": (b"%PDF-", "application/pdf"),
    "docx": (_ZIP, f"{_OOXML}.wordprocessingml.document"),
    "xlsx": (_ZIP, f"{_OOXML}.spreadsheetml.sheet"),
    "pptx": (_ZIP, f"{_OOXML}.presentationml.presentation"),
    "doc": (_OLE, "application/msword"),
    "xls": (_OLE, "application/vnd.ms-excel"),
    "ppt": (_OLE, "application/vnd.ms-powerpoint"),
}
IMAGE_EXTENSIONS = frozenset({"jpg", "jpeg", "png", "heic", "heif"})


class AttachmentRefused(ValidationError):
    """A file refused, with the message the user reads and a code."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message, code=code)
        self.text = message


def clean_attachment(upload: Any) -> tuple[ContentFile[bytes], str, str]:
    """(content, file name, content type) of an accepted attachment, else
    `AttachmentRefused`."""
    name = (getattr(upload, "name", "") or "file").replace("\\", "/").rsplit("/", 1)[-1][:150]
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    too_large = _("The file is larger than 20 MB.")
    if (getattr(upload, "size", None) or 0) > MAX_ATTACHMENT_BYTES:
        raise AttachmentRefused(too_large, "too_large")
    if ext in IMAGE_EXTENSIONS:
        image = clean_image(upload)
        return image.content, f"{name.rsplit('.', 1)[0]}.jpg", "image/jpeg"
    if ext not in DOCUMENT_KINDS:
        raise AttachmentRefused(
            _("Attach a photo, a PDF, or a Word, Excel or PowerPoint file."),
            "unsupported_format",
        )
    seek = getattr(upload, "seek", None)
    if callable(seek):
        seek(0)
    data = upload.read(MAX_ATTACHMENT_BYTES + 1)
    if not data:
        raise AttachmentRefused(_("The file is empty."), "empty")
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise AttachmentRefused(too_large, "too_large")
    magic, content_type = DOCUMENT_KINDS[ext]
    if not data.startswith(magic):
        raise AttachmentRefused(
            _("The file's content does not match its name (.%(ext)s).") % {"ext": ext},
            "mismatch",
        )
    return ContentFile(data), name, content_type
