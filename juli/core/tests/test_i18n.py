"""The Simplified Chinese catalogue is complete, and pages speak Chinese unless asked otherwise."""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings as django_settings
from django.utils import translation

PO = Path(django_settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _entries(path: Path) -> list[dict]:
    """Every live entry of a .po file: msgid, msgstrs and flags (stdlib only)."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry: dict = {"msgid": None, "msgstr": [], "flags": set()}
        field = None
        for line in block.strip().splitlines():
            if line.startswith("#~"):  # obsolete entry
                entry["msgid"] = None
                break
            if line.startswith("#,"):
                entry["flags"] |= {f.strip() for f in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif line.startswith("msgid "):
                field, entry["msgid"] = "msgid", ast.literal_eval(line[6:])
            elif line.startswith(("msgid_plural ", "msgctxt ")):
                field = "other"
            elif line.startswith("msgstr"):
                field = "msgstr"
                entry["msgstr"].append(ast.literal_eval(line.split(" ", 1)[1]))
            elif line.startswith('"'):
                if field == "msgid":
                    entry["msgid"] += ast.literal_eval(line)
                elif field == "msgstr":
                    entry["msgstr"][-1] += ast.literal_eval(line)
        if entry["msgid"]:  # skips the header (msgid "") and obsolete entries
            entries.append(entry)
    return entries


def test_it_translates_every_message(db) -> None:  # type: ignore[no-untyped-def]
    entries = _entries(PO)
    assert len(entries) > 100
    untranslated = [e["msgid"] for e in entries if not e["msgstr"] or not all(e["msgstr"])]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert untranslated == [], f"{len(untranslated)} untranslated, e.g. {untranslated[:5]}"
    assert fuzzy == [], f"{len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"


def test_it_serves_chinese_by_default(db, client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.LANGUAGE_CODE = "zh-hans"
    with translation.override("zh-hans"):
        response = client.get("/login/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "登录" in page
    assert "Sign in" not in page


def test_it_serves_english_on_request(db, client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.LANGUAGE_CODE = "zh-hans"
    with translation.override("zh-hans"):
        by_header = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en")
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        by_cookie = client.get("/login/")
    for response in (by_header, by_cookie):
        assert response.status_code == 200
        page = response.content.decode()
        assert "Sign in" in page
        assert "登录聚力" not in page
