"""The public verification page says what is wrong with an upload, at the PDF field: not a
PDF, too large (with the limit), or a PDF without a verification code; never "unknown code"
for a file it could not read."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

# The upload limit is core's: the check page is `juli.core.views_verify`.
from juli.core import verification as integrity

URL = "/letters/verify/"


def _post(client: Any, content: bytes, name: str = "letter.pdf") -> Any:
    return client.post(URL, {"pdf": SimpleUploadedFile(name, content, "application/pdf")})


def test_it_says_at_the_field_that_an_upload_is_not_a_pdf(client: Any, db: Any) -> None:
    response = _post(client, b"PK\x03\x04 a word file renamed to .pdf")
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "pdf": ["This file is not a PDF: upload the letter's PDF, or type its code."]
    }
    body = response.content.decode()
    assert "This file is not a PDF: upload the letter&#x27;s PDF, or type its code." in body
    assert 'id="verdict"' not in body


def test_it_says_at_the_field_that_an_upload_is_too_large_with_the_limit(
    client: Any, db: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(integrity, "MAX_PDF_BYTES", 2048)
    response = _post(client, b"%PDF-1.7\n" + b"0" * 2048)
    assert response.context["form"].errors == {
        "pdf": ["The file is larger than the limit of 2.0\xa0KB."]
    }
    assert 'id="verdict"' not in response.content.decode()


def test_the_limit_it_names_is_the_real_one(client: Any, db: Any) -> None:
    big = b"%PDF-1.7\n" + b"0" * integrity.MAX_PDF_BYTES
    response = _post(client, big)
    assert response.context["form"].errors == {
        "pdf": ["The file is larger than the limit of 15.0\xa0MB."]
    }


def test_it_says_at_the_field_that_a_pdf_carries_no_code(client: Any, db: Any) -> None:
    from weasyprint import HTML

    pdf = HTML(string="<p>会议纪要 minutes</p>").write_pdf()
    response = _post(client, pdf)
    assert response.context["form"].errors == {
        "pdf": [
            "No verification code was found in this PDF: type the code printed at the foot "
            "of the letter."
        ]
    }
    assert 'id="verdict"' not in response.content.decode()


def test_a_typed_unknown_code_still_answers_unknown_code(client: Any, db: Any) -> None:
    response = client.post(URL, {"code": "999999-AAAAA-AAAAA"})
    assert response.context["form"].errors == {}
    assert 'data-state="unknown"' in response.content.decode()
