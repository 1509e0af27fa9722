"""The honour certificate: A4 landscape PDF with the honour, recipient, conferring
organisation, date, number, verification code and a QR code of the public check URL."""

from __future__ import annotations

from typing import Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext

from juli.core.pdf import render_pdf
from juli.core.verification import verification_code

from .models import Honour


def _qr_svg(text: str) -> str:
    image = qrcode.make(
        text,
        image_factory=qrcode.image.svg.SvgPathImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        box_size=10,
        border=2,
    )
    return image.to_string(encoding="unicode")


def verify_url(honour: Honour, request: Any = None) -> str:
    code = verification_code(honour)
    path = reverse("document-verify") + (f"?code={code}" if code else "")
    if request is not None:
        return str(request.build_absolute_uri(path))
    return (getattr(settings, "JULI_SITE_URL", "") or "").rstrip("/") + path


def certificate_pdf(honour: Honour, request: Any = None) -> bytes:
    code = verification_code(honour)
    url = verify_url(honour, request)
    kind = honour.call.kind
    context = {
        "honour": honour,
        "kind": kind,
        "code": code,
        "verify_url": url,
        "qr_svg": _qr_svg(url) if code else "",
    }
    return render_pdf(
        "honours/certificate_pdf.html",
        context,
        issuer=kind.org.name,
        title=gettext("Certificate of honour"),
    )
