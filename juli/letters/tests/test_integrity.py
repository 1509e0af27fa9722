"""The content hash and the verification code detect a changed record, an altered code and
a tampered PDF; the PDF is an A4 document with the Chinese text and both signatures."""

from __future__ import annotations

import subprocess  # noqa: S404
from pathlib import Path
from typing import Any

from juli.letters import actions, integrity
from juli.letters.models import LetterItem, LetterPrint
from juli.letters.views_sign import letter_pdf_bytes

from .conftest import sign_both


def _run(args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
    """poppler-utils, by absolute path (a fixed local binary, no shell)."""
    return subprocess.run(["/usr/bin/" + args[0], *args[1:]], **kwargs)  # noqa: S603


def test_a_signed_letter_verifies_and_a_changed_record_does_not(world: Any) -> None:
    letter = sign_both(world)
    code = integrity.verification_code(letter)
    assert code.startswith(f"{letter.pk}-") and len(code) == len(str(letter.pk)) + 12
    assert integrity.verify(code).state == "valid"
    assert integrity.verify(code.lower().replace("-", " - ", 0)).state == "valid"
    # Someone edits the database behind Juli's back: the points of one item.
    LetterItem.objects.filter(letter=letter, order=1).update(points=30)
    verdict = integrity.verify(code)
    assert verdict.state == "tampered"
    assert verdict.letter is not None and verdict.letter.pk == letter.pk


def test_an_altered_code_is_unknown(world: Any) -> None:
    letter = sign_both(world)
    code = integrity.verification_code(letter)
    last = "A" if code[-1] != "A" else "B"
    assert integrity.verify(code[:-1] + last).state == "unknown"
    assert (
        integrity.verify(f"{world.sibling_letter.pk}{code[len(str(letter.pk)) :]}").state
        == "unknown"
    )
    assert integrity.verify("999999-AAAAA-AAAAA").state == "unknown"
    assert integrity.verify("not a code").state == "unknown"
    assert integrity.verify("").state == "unknown"


def test_an_unsigned_letter_has_no_code_and_a_replaced_version_is_superseded(world: Any) -> None:
    assert integrity.verification_code(world.letter) == ""
    letter = sign_both(world)
    old = integrity.verification_code(letter)
    item = letter.items.get(order=2)
    actions.update_item(world.c.bureau_secretary, item, indicator="支部党员大会每季度不少于1次")
    assert integrity.verify(old).state == "superseded"
    letter = sign_both(world)
    new = integrity.verification_code(letter)
    assert new != old
    assert integrity.verify(new).state == "valid"
    assert integrity.verify(old).state == "superseded"


def _text(pdf: Path) -> str:
    return _run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True
    ).stdout.decode()


def test_the_pdf_carries_the_content_signatures_and_code_and_is_recognised(
    world: Any, tmp_path: Path, screenshot_dir: Path
) -> None:
    letter = sign_both(world)
    pdf = letter_pdf_bytes(letter)
    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf)
    text = _text(path)
    assert "2026年度基层党建工作目标责任书" in text
    assert "规范开展“三会一课”" in text
    assert "第一党支部" in text and "普陀区绿化和市容管理局党组" in text
    assert "单田芳" in text and "周局长" in text
    code = integrity.verification_code(letter)
    assert code in text
    assert letter.content_hash in "".join(text.split())
    # Two signature images are embedded.
    images = _run(
        ["pdfimages", "-list", str(path)], capture_output=True, check=True
    ).stdout.decode()
    assert len([line for line in images.splitlines()[2:] if line.strip()]) >= 2
    _run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "1",
            str(path),
            str(screenshot_dir / "letter-pdf"),
        ],
        check=True,
    )
    assert (screenshot_dir / "letter-pdf-1.png").exists()

    # Not yet handed out: the code checks, the file is not one Juli recorded.
    checked = integrity.verify_pdf(pdf)
    assert (checked.verdict.state, checked.issued_copy) == ("valid", False)
    actions.record_print(world.c.bureau_secretary, letter, pdf)
    checked = integrity.verify_pdf(pdf)
    assert (checked.verdict.state, checked.issued_copy, checked.printed_hash) == (
        "valid",
        True,
        letter.content_hash,
    )
    assert LetterPrint.objects.count() == 1


def test_a_tampered_pdf_is_detected(world: Any) -> None:
    letter = sign_both(world)
    pdf = letter_pdf_bytes(letter)
    actions.record_print(None, letter, pdf)
    # A byte changed inside the file (as an editor would): not a copy Juli issued.
    tampered = pdf.replace(b"%PDF-1.7", b"%PDF-1.6", 1) + b"\n% edited\n"
    assert tampered != pdf
    checked = integrity.verify_pdf(tampered)
    assert checked.issued_copy is False
    # A PDF of the record after someone changed the database: the printed hash no longer
    # matches the content, so it is not valid.
    LetterItem.objects.filter(letter=letter, order=1).update(content="改过的内容")
    forged = letter_pdf_bytes(letter)
    assert integrity.verify_pdf(forged).verdict.state == "tampered"
    # Not a PDF at all.
    assert integrity.verify_pdf(b"hello").verdict.state == "unknown"


def test_the_public_page_verifies_a_code_and_an_uploaded_pdf(client: Any, world: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    letter = sign_both(world)
    code = integrity.verification_code(letter)
    page = client.get("/letters/verify/", {"code": code})
    assert page.status_code == 200
    assert 'data-state="valid"' in page.content.decode()
    altered = code[:-1] + ("Z" if code[-1] != "Z" else "Y")
    assert (
        'data-state="unknown"' in client.get("/letters/verify/", {"code": altered}).content.decode()
    )
    pdf = letter_pdf_bytes(letter)
    actions.record_print(None, letter, pdf)
    page = client.post(
        "/letters/verify/", {"pdf": SimpleUploadedFile("l.pdf", pdf, "application/pdf")}
    )
    body = page.content.decode()
    assert 'data-state="valid"' in body
    assert "This file is an unaltered copy of a PDF Juli issued." in body
    LetterItem.objects.filter(letter=letter, order=1).update(points=1)
    assert (
        'data-state="tampered"' in client.get("/letters/verify/", {"code": code}).content.decode()
    )
