"""Bidirectional control characters, taken out of user text in the documents Juli issues.

A right-to-left override (U+202E) typed into a case title makes a PDF or a spreadsheet show
the rest of the line backwards, so that "整改完成" can read as something else on paper, and
an embedding or isolate can move text around it. Juli's documents are Chinese and English:
they need none of these controls, and the Unicode bidi algorithm lays out any Arabic or
Hebrew text correctly without them. `strip_bidi` removes them; the PDF layer applies it to
every rendered page (`juli.core.pdf.render_html`), the Excel layer to every text cell
(`juli.core.xlsx.neutralise`).
"""

from __future__ import annotations

#: LRE RLE PDF LRO RLO, LRI RLI FSI PDI, LRM RLM, ALM.
BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)
_DROP = dict.fromkeys(map(ord, BIDI_CONTROLS))


def strip_bidi(text: str) -> str:
    """`text` without bidirectional control characters."""
    return text.translate(_DROP)
