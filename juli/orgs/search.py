"""Search keys: one normalised string per record that simplified, traditional and pinyin
queries all match with a single `LIKE '%q%'`.

The key holds the simplified text, the full pinyin and the pinyin initials. For people the
first character is also read as a surname, since several common surnames are read
differently from the same character in words (单 shàn, 曾 zēng, 解 xiè …).
"""

from __future__ import annotations

import functools
import re

import opencc
from pypinyin import Style, lazy_pinyin

# Surname readings that differ from the character's most common reading.
SURNAME_READINGS: dict[str, str] = {
    "单": "shan",
    "曾": "zeng",
    "解": "xie",
    "仇": "qiu",
    "朴": "piao",
    "查": "zha",
    "区": "ou",
    "盖": "ge",
    "乐": "yue",
    "覃": "qin",
    "缪": "miao",
    "尉": "yu",
    "秘": "bi",
    "种": "chong",
    "繁": "po",
    "翟": "zhai",
    "召": "shao",
    "折": "she",
    "员": "yun",
    "长": "chang",
}

_WS = re.compile(r"\s+")


@functools.lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def simplify(text: str) -> str:
    """Traditional → simplified, lower-case, single spaces."""
    return _WS.sub(" ", _t2s().convert(text or "")).strip().lower()


def _pinyin_parts(text: str, *, person: bool) -> tuple[str, str]:
    syllables = lazy_pinyin(text, errors="ignore")
    if person and text and text[0] in SURNAME_READINGS and syllables:
        syllables = [SURNAME_READINGS[text[0]], *syllables[1:]]
    initials = lazy_pinyin(text, style=Style.FIRST_LETTER, errors="ignore")
    if person and text and text[0] in SURNAME_READINGS and initials:
        initials = [SURNAME_READINGS[text[0]][0], *initials[1:]]
    return "".join(syllables).lower(), "".join(initials).lower()


def search_key(text: str, *, person: bool = False) -> str:
    simple = simplify(text)
    hanzi = re.sub(r"[^\u4e00-\u9fff]", "", simple)
    full, initials = _pinyin_parts(hanzi, person=person) if hanzi else ("", "")
    key = f"{simple}|{full}|{initials}"
    return key[:400]


def normalise_query(query: str) -> str:
    """What a user typed, in the form search keys are stored in."""
    return simplify(query).replace("|", "")[:60]
