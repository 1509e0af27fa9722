"""The dossier's PDF and zip, made by the export worker (`juli.core.exports`).

Why in the background: the PDF of a busy branch's year runs to dozens of pages, and the zip
renders the record of every confirmed meeting (a PDF each) and copies every evidence file;
together seconds to minutes, too long for a request. The page (and the API) start an
`ExportJob` and the core's export page polls it; the file is the owner's only and expires
like every export.

The owner's right is checked again when the file is made (a post may have ended since),
and the document is written in the owner's language (their account's, else the site's).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _

from juli.core.exports import ExportError, exporter

from . import access, assemble

PDF_KIND = "dossier.pdf"
ZIP_KIND = "dossier.zip"


@contextmanager
def _language_of(owner: Any) -> Iterator[None]:
    with translation.override(getattr(owner, "language", "") or settings.LANGUAGE_CODE):
        yield


def _dossier(params: dict[str, Any], owner: Any) -> assemble.Dossier:
    try:
        org = access.access_dossier_org(owner, params.get("org"))
        year = access.check_year(params.get("year"))
    except (Http404, PermissionDenied):
        raise ExportError(_("This branch is not in your scope any more.")) from None
    return assemble.assemble(org, year, owner)


@exporter(PDF_KIND)
def dossier_pdf(params: dict[str, Any], owner: Any) -> tuple[str, bytes]:
    with _language_of(owner):
        dossier = _dossier(params, owner)
        return f"{dossier.filename_stem}.pdf", assemble.render_pdf(dossier)


@exporter(ZIP_KIND)
def dossier_zip(params: dict[str, Any], owner: Any) -> tuple[str, Any]:
    with _language_of(owner):
        dossier = _dossier(params, owner)
        pdf = assemble.render_pdf(dossier)
        return f"{dossier.filename_stem}.zip", assemble.write_zip(dossier, pdf)
