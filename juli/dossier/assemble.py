"""A branch's year-end dossier assembled from the registered sections: the page, the PDF,
the zip.

`assemble(org, year, user)` asks every section of `juli.core.dossier` (in their `order`)
what it holds for that organisation and year, read as `user` sees it. A section that holds
nothing is kept, empty: the page and the PDF say "No records for this year" under its
title, so a missing part is visible, never silently dropped. A section whose build fails
is kept too, with a note saying so (the error goes to the log): one broken app does not
stop the branch's file.

- `render_pdf(dossier)`: one A4 document: a cover (branch, upper organisation, year, when
  and by whom it was generated), the contents with page numbers, each section from a new
  page, "page N / M" in the foot.
- `write_zip(dossier, pdf)`: the PDF, then every section's files under a folder per section
  (`01-letters/…`), names made safe (no folders, no control characters) and unique inside
  the archive, and `manifest.csv` listing each file, its section, its source and its
  SHA-256. A file that cannot be read is listed as missing in the manifest, not dropped.

Both run in the export worker (`exports.py`): a year of meeting records renders dozens of
minutes PDFs, which takes seconds to minutes, never in a request.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import logging
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from juli.core import dossier as registry
from juli.core.dossier import DossierFile, Section, SectionKind
from juli.core.exports import temp_path
from juli.core.pdf import render_pdf as _render_pdf
from juli.orgs.models import PartyOrg

logger = logging.getLogger(__name__)

#: Longest file name kept inside the archive (characters, suffix included).
MAX_NAME = 120
CHUNK = 1024 * 1024


@dataclass
class Part:
    """One registered section of one dossier: its kind, what it built (None: nothing this
    year) and whether building it failed."""

    kind: SectionKind
    section: Section | None
    failed: bool = False
    number: int = 0

    @property
    def key(self) -> str:
        return self.kind.key

    @property
    def title(self) -> str:
        return self.section.title if self.section else str(self.kind.label)

    @property
    def empty(self) -> bool:
        return self.section is None or not (self.section.blocks or self.section.files)

    @property
    def folder(self) -> str:
        return f"{self.number:02d}-{safe_name(self.key)}"


@dataclass
class Dossier:
    org: PartyOrg
    upper: PartyOrg | None
    year: int
    user: Any
    generated_at: datetime.datetime
    parts: list[Part] = field(default_factory=list)

    @property
    def by(self) -> str:
        person = getattr(self.user, "person", None)
        return person.name if person is not None else self.user.get_username()

    @property
    def title(self) -> str:
        return _("%(year)s year-end dossier") % {"year": self.year}

    @property
    def filename_stem(self) -> str:
        return safe_name(f"{self.org.name}-{self.year}-年终台账")


def upper_of(org: PartyOrg) -> PartyOrg | None:
    if org.depth <= 1:
        return None
    return PartyOrg.objects.filter(path=org.path[: -PartyOrg.steplen]).first()


def assemble(org: PartyOrg, year: int, user: Any) -> Dossier:
    dossier = Dossier(org, upper_of(org), year, user, timezone.localtime())
    for number, kind in enumerate(registry.kinds(), start=1):
        try:
            section = kind.build(org, year, user)
        except Exception:
            logger.exception("dossier section %s failed for org %s, %s", kind.key, org.pk, year)
            dossier.parts.append(Part(kind, None, failed=True, number=number))
            continue
        dossier.parts.append(Part(kind, section, number=number))
    return dossier


def render_pdf(dossier: Dossier) -> bytes:
    return _render_pdf(
        "pdf/dossier.html",
        {"dossier": dossier},
        issuer=dossier.org.name,
        title=dossier.title,
    )


# --- The zip ------------------------------------------------------------------------------------

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def safe_name(name: str) -> str:
    """A file name without folders, control or reserved characters, leading dots or
    surrounding spaces, at most MAX_NAME characters (the suffix kept); never empty."""
    name = unicodedata.normalize("NFC", str(name))
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf"))
    name = _UNSAFE.sub("_", name).strip().lstrip(".").strip()
    if len(name) > MAX_NAME:
        suffix = PurePosixPath(name).suffix
        suffix = suffix if len(suffix) <= 10 else ""
        name = name[: MAX_NAME - len(suffix)].rstrip() + suffix
    return name or "file"


def unique_name(name: str, taken: set[str]) -> str:
    """`name`, or `stem (2).ext`, `stem (3).ext`, … : the first not in `taken` (compared
    case-insensitively, as Windows and macOS unpack), added to `taken`."""
    folder, _sep, base = name.rpartition("/")
    suffix = PurePosixPath(base).suffix
    stem = (f"{folder}/" if folder else "") + (base[: -len(suffix)] if suffix else base)
    candidate, n = name, 1
    while candidate.lower() in taken:
        n += 1
        candidate = f"{stem} ({n}){suffix}"
    taken.add(candidate.lower())
    return candidate


def _open(source: DossierFile) -> Any:
    """The content of `source`: bytes, or an open binary handle (the caller closes it).
    Raises when the file cannot be read (gone from storage, a render that failed)."""
    content = source.file
    if callable(content) and not hasattr(content, "open"):
        content = content()
    if isinstance(content, bytes | bytearray):
        return bytes(content)
    if hasattr(content, "open"):
        opened = content.open("rb")
        return opened if opened is not None else content  # FieldFile.open returns itself
    return content


def _copy(target: Any, content: Any, digest: Any) -> int:
    """Write `content` (bytes or a handle) into the open archive member; its size."""
    if isinstance(content, bytes):
        target.write(content)
        digest.update(content)
        return len(content)
    size = 0
    try:
        while chunk := content.read(CHUNK):
            target.write(chunk)
            digest.update(chunk)
            size += len(chunk)
    finally:
        content.close()
    return size


def write_zip(dossier: Dossier, pdf: bytes) -> Path:
    """The archive in a temporary file (the export stores and deletes it)."""
    path = temp_path(".zip")
    manifest: list[list[Any]] = []
    taken: set[str] = {"manifest.csv"}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        pdf_name = unique_name(dossier.filename_stem + ".pdf", taken)
        archive.writestr(pdf_name, pdf)
        manifest.append(
            [pdf_name, dossier.title, _("This dossier"), len(pdf), hashlib.sha256(pdf).hexdigest()]
        )
        for part in dossier.parts:
            if part.section is None:
                continue
            for item in part.section.files:
                name = unique_name(f"{part.folder}/{safe_name(item.name)}", taken)
                digest = hashlib.sha256()
                try:
                    content = _open(item)
                except Exception:
                    logger.exception("dossier file %r of %s could not be read", item.name, part.key)
                    manifest.append(
                        [name, part.title, item.source or item.name, "", _("missing: not readable")]
                    )
                    continue
                with archive.open(name, "w", force_zip64=True) as target:
                    size = _copy(target, content, digest)
                manifest.append(
                    [name, part.title, item.source or item.name, size, digest.hexdigest()]
                )
        out = io.StringIO()
        out.write("\ufeff")  # Excel opens a UTF-8 CSV with Chinese text only with a BOM
        writer = csv.writer(out)
        writer.writerow([_("File"), _("Section"), _("Source"), _("Bytes"), "SHA-256"])
        writer.writerows(manifest)
        archive.writestr("manifest.csv", out.getvalue().encode())
    return path
