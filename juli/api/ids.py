"""Ids in paths: whole numbers a 64-bit column can hold, or a clean 404 (filters: `filters`)."""

from __future__ import annotations

from typing import Any

from django.http import Http404

#: The largest id a table can hold (64-bit): a bigger number in a path, a filter or a body is
#: refused cleanly instead of overflowing the database driver.
MAX_ID = 2**63 - 1
#: How a path id is written: ASCII digits only (`\d` would take other scripts' digits too).
ID_PATTERN = r"[0-9]+"


def path_id(value: Any) -> int:
    """A path id, or 404 (an id no table can hold does not exist)."""
    text = str(value)
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)):
        raise Http404
    number = int(text)
    if not 0 < number <= MAX_ID:
        raise Http404
    return number
