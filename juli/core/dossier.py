"""The registry of dossier sections: what each app contributes to a branch's year-end file.

"Send us your year-end materials" is answered from records Juli already holds: the letter and
its assessment, the rating round's scores, meeting compliance, observation feedback and
rectifications, honours. Each app declares its section in a module `dossier.py` of its own
folder:

    from juli.core.dossier import Block, Section, SectionKind, register

    def _build(org, year, user):
        return Section(title=..., blocks=[Block.paragraph("…"), Block.table(head, rows)],
                       files=[DossierFile("evidence/x.pdf", field_file)])

    register(SectionKind("letters", _("Responsibility letter"), _build, order=10))

`build(org, year, user)` reads what the app holds for that organisation and year and returns
a `Section` (blocks to print, files for the zip), or None when it holds nothing (the dossier
then says so under the section's title: a missing section is visible, never silently
dropped). The dossier app renders the sections in `order` into one PDF and one zip.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise

from .discovery import Discovery

MODULE = "dossier"


@dataclass(frozen=True)
class Block:
    """One printable block: a heading, a paragraph, a key/value list or a table."""

    kind: str  # "heading" | "paragraph" | "facts" | "table"
    text: str = ""
    head: Sequence[Any] = ()
    rows: Sequence[Sequence[Any]] = ()

    @classmethod
    def heading(cls, text: Any) -> Block:
        return cls("heading", text=str(text))

    @classmethod
    def paragraph(cls, text: Any) -> Block:
        return cls("paragraph", text=str(text))

    @classmethod
    def facts(cls, pairs: Sequence[tuple[Any, Any]]) -> Block:
        return cls("facts", rows=[(str(k), str(v)) for k, v in pairs])

    @classmethod
    def table(cls, head: Sequence[Any], rows: Sequence[Sequence[Any]]) -> Block:
        return cls(
            "table",
            head=[str(h) for h in head],
            rows=[["" if c is None else str(c) for c in row] for row in rows],
        )


@dataclass(frozen=True)
class DossierFile:
    """A file for the zip: its name inside the archive and a readable file (a FieldFile or
    anything with `open()`/`read()`), bytes, or a function of no argument returning bytes
    (made only when the zip is built: a PDF rendered on demand). `source` says where it
    comes from (the record it belongs to), for the zip's manifest."""

    name: str
    file: Any
    source: str = ""


@dataclass
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)
    files: list[DossierFile] = field(default_factory=list)


Build = Callable[[Any, int, Any], Section | None]


@dataclass(frozen=True)
class SectionKind:
    key: str
    label: str | Promise
    build: Build
    order: int = 100


_kinds: dict[str, SectionKind] = {}
_discovery = Discovery(MODULE)


def register(kind: SectionKind) -> SectionKind:
    known = _kinds.get(kind.key)
    if known is not None and known != kind:
        raise ImproperlyConfigured(f"dossier section {kind.key!r} is already registered")
    _kinds[kind.key] = kind
    return kind


def unregister(key: str) -> None:
    """Tests only."""
    _kinds.pop(key, None)


def kinds() -> list[SectionKind]:
    _discovery()
    return sorted(_kinds.values(), key=lambda k: (k.order, k.key))
