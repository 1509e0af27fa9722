"""PDF rendering for letters.

`juli.core.pdf.render_pdf` passes WeasyPrint a plain function as URL fetcher; WeasyPrint 70
expects a `URLFetcher` (it reads `_fail_on_errors` from it), so any image in a document makes
it raise. Letters embed the two signature images, so until the shared layer is fixed this
renders the same HTML (`juli.core.pdf.render_html`: same base template, fonts and running
head) with a fetcher that allows file: and data: URLs only — still nothing over the network.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings

from juli.core.pdf import render_html


def _fetcher() -> Any:
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"file", "data"}, timeout=5)


def render_pdf(template_name: str, context: dict[str, Any], *, issuer: str, title: str) -> bytes:
    from weasyprint import HTML

    html = render_html(template_name, context, issuer=issuer, title=title)
    base = Path(settings.BASE_DIR).as_uri() + "/"
    return HTML(string=html, base_url=base, url_fetcher=_fetcher()).write_pdf()  # type: ignore[no-any-return]
