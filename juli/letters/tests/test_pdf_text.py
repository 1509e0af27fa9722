"""A letter's PDF prints what was typed: rare characters of names as themselves, and a
right-to-left override in a title or an item cannot turn a line around on paper."""

from __future__ import annotations

import subprocess  # noqa: S404 - a fixed local binary, no shell
from pathlib import Path
from typing import Any

from juli.letters.models import Letter, LetterItem
from juli.letters.views_sign import letter_pdf_bytes

from .conftest import sign_both


def test_the_letter_pdf_prints_user_text_in_order_with_its_rare_characters(
    world: Any, tmp_path: Path
) -> None:
    letter = sign_both(world)
    Letter.objects.filter(pk=letter.pk).update(title="责任书\u202e甲乙 AB 12\u202c 完")
    LetterItem.objects.filter(letter=letter, order=1).update(
        content="联系人\u2067王\U0002a6a5\u2069与\U00020000老师\u200f"
    )
    path = tmp_path / "letter.pdf"
    path.write_bytes(letter_pdf_bytes(Letter.objects.get(pk=letter.pk)))
    text = subprocess.run(  # noqa: S603
        ["/usr/bin/pdftotext", str(path), "-"], capture_output=True, check=True
    ).stdout.decode()
    assert "责任书甲乙 AB 12 完" in text
    assert "联系人王\U0002a6a5与\U00020000老师" in text
    assert "21 BA" not in text
