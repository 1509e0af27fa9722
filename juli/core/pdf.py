"""A4 PDF documents from HTML templates (WeasyPrint), with the Noto CJK fonts embedded.

Every PDF Juli issues extends `templates/pdf/base.html`: A4, margins, the issuing
organisation in the running head, "page N / M" in the foot, and the document's title and
date. WeasyPrint subsets and embeds the fonts it uses, so the file reads the same on a
machine without Chinese fonts; on the server, `fonts-noto-cjk` must be installed (the CI
and the deploy guide install it), and `fonts-hanazono` for the characters Noto lacks (CJK
Extension B and beyond, as in rare names: 𪚥, 𠀀), named after it in the font stack
(JULI_PDF_FALLBACK_FONTS) rather than left to fontconfig's own guess.

    pdf_bytes = render_pdf("bulletins/pdf.html", {"bulletin": b}, issuer="大桥街道", title="日通报")

Templates get `issuer`, `title` and `generated_at` besides their own context. Images and
static files are resolved from the filesystem (`base_url` is the project's root), never
over the network: a PDF render must not depend on the web server being up.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from .bidi import strip_bidi

PDF_TYPE = "application/pdf"

# WeasyPrint reports every layout step at INFO level: keep its progress out of the logs.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def render_html(template_name: str, context: dict[str, Any], *, issuer: str, title: str) -> str:
    """The HTML a PDF is made from (also handy to look at in a test).

    Bidirectional controls are taken out of the whole page (`juli.core.bidi`): every text a
    user typed passes through here, and a right-to-left override in a case title would
    otherwise print the rest of its line backwards. Juli's own templates hold none.
    """
    full = {
        "issuer": issuer,
        "title": title,
        "generated_at": timezone.localtime(),
        "pdf_font": settings.JULI_PDF_FONT,
        "pdf_fallback_fonts": getattr(settings, "JULI_PDF_FALLBACK_FONTS", []),
        **context,
    }
    return strip_bidi(render_to_string(template_name, full))


def render_pdf(template_name: str, context: dict[str, Any], *, issuer: str, title: str) -> bytes:
    """Render `template_name` (which extends pdf/base.html) to the bytes of an A4 PDF."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = render_html(template_name, context, issuer=issuer, title=title)
    base = Path(settings.BASE_DIR).as_uri() + "/"
    # file: and data: only: a render never reaches over the network.
    fetcher = URLFetcher(allowed_protocols={"file", "data"}, allow_redirects=False)
    document = HTML(string=html, base_url=base, url_fetcher=fetcher)
    return document.write_pdf()  # type: ignore[no-any-return]


def media_uri(file_field: Any) -> str:
    """A file: URI for a stored file (a photo in a bulletin), or "" when it is not local."""
    try:
        return Path(file_field.path).as_uri()
    except (NotImplementedError, ValueError, AttributeError):
        return ""
