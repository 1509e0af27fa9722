"""What a PDF says is what was typed: rare characters have real glyphs and copy out as
themselves, and bidirectional controls in user text cannot turn a line around.

Read back with poppler (`pdftotext`, `pdffonts`, `pdftoppm`), as a reader of the file would.
"""

from __future__ import annotations

import subprocess  # noqa: S404 - fixed local binaries, no shell
from pathlib import Path

import pytest
from django.conf import settings
from fontTools.ttLib import TTFont

from juli.core.bidi import BIDI_CONTROLS
from juli.core.pdf import render_html, render_pdf

#: CJK Extension B: 𪚥 (U+2A6A5, four dragons) and 𠀀 (U+20000), beyond Noto Sans CJK.
RARE = "\U0002a6a5\U00020000"


def _poppler(tool: str, *args: str) -> str:
    done = subprocess.run(  # noqa: S603
        [f"/usr/bin/{tool}", *args], capture_output=True, check=True, timeout=60
    )
    return done.stdout.decode()


def _pdf(tmp_path: Path, title: str, issuer: str = "打浦桥街道") -> Path:
    path = tmp_path / "doc.pdf"
    path.write_bytes(render_pdf("pdf/base.html", {}, issuer=issuer, title=title))
    return path


def _text(path: Path) -> str:
    return _poppler("pdftotext", str(path), "-")


def test_the_font_stack_names_the_fallback_fonts_after_the_main_one() -> None:
    html = render_html("pdf/base.html", {}, issuer="x", title="y")
    assert settings.JULI_PDF_FALLBACK_FONTS == ["HanaMinA", "HanaMinB"]
    assert 'font-family: "Noto Sans CJK SC", "HanaMinA", "HanaMinB", sans-serif;' in html


@pytest.mark.parametrize("family", ["HanaMinA", "HanaMinB"])
def test_each_fallback_font_is_installed_with_real_glyphs_for_the_rare_characters(
    family: str,
) -> None:
    # Installed (.ci/run's system packages), not a substitute fontconfig picked instead.
    assert family in _poppler("fc-match", "--format=%{family}", family).split(",")
    path = _poppler("fc-match", "--format=%{file}", family)
    font = TTFont(path, lazy=True)
    cmap = font.getBestCmap()
    for char in RARE:
        glyph = cmap[ord(char)]
        assert glyph != ".notdef"
        assert font["glyf"][glyph].numberOfContours > 0, (family, hex(ord(char)))


def test_rare_characters_are_embedded_and_copy_out_as_themselves(tmp_path: Path) -> None:
    path = _pdf(tmp_path, f"字{RARE[0]}与{RARE[1]}龘", issuer=f"{RARE[1]}街道")
    text = _text(path)
    assert f"字{RARE[0]}与{RARE[1]}龘" in text
    assert f"{RARE[1]}街道" in text
    fonts = _poppler("pdffonts", str(path))
    embedded = [line.split()[0].split("+", 1)[1] for line in fonts.splitlines()[2:]]
    assert any(name.startswith("HanaMinA") for name in embedded), fonts
    assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:]), fonts  # emb


def test_a_right_to_left_override_cannot_turn_a_line_around(tmp_path: Path) -> None:
    title = "整改\u202e完成 ABC 123\u202c 结束"
    text = _text(_pdf(tmp_path, title))
    assert "整改完成 ABC 123 结束" in text
    assert "321" not in text


@pytest.mark.parametrize("control", sorted(BIDI_CONTROLS))
def test_no_bidi_control_reaches_the_page(tmp_path: Path, control: str) -> None:
    text = _text(_pdf(tmp_path, f"甲{control}乙 AB{control}C 12", issuer=f"街{control}道"))
    assert "甲乙 ABC 12" in text
    assert "街道" in text
    assert not BIDI_CONTROLS & set(text)
