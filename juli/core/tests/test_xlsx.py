"""Excel cells: what a spreadsheet would run is made inert, harmless text stays as typed, and
bidirectional controls never reach a cell.

Every text cell is written as a string cell (data_type "s"), which Excel shows and never
evaluates; the apostrophe guards the moment the text is typed again or passed through CSV,
where `=`, and `+ - @` before a function call, a DDE link or a sheet reference, would run.
"""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from juli.core.xlsx import Book, neutralise

HARMLESS = [
    "-2+3",
    "+1+1",
    "-",
    "+",
    "@",
    "- 项目",
    "-5",
    "+86 13800000000",
    "+86（021）6328 0000",
    "＋86 138 0000 0000",
    "@张三",
    "@张三 请核实",
    "-- 备注 --",
    "\tindented",
    "plain text",
    "a=b",
    "",
]

ACTIVE = [
    "=1+1",
    "=",
    '=HYPERLINK("http://evil.example","x")',
    "=cmd|' /C calc'!A0",
    "+cmd|' /C calc'!A0",
    "-cmd|' /C calc'!A0",
    "@SUM(A1:A2)",
    "@sum (A1)",
    '+HYPERLINK("http://evil.example")',
    "-2+3+SUM(A1:A9)",
    "+Sheet1!A1",
    "-1+1|cmd",
    "\t=1+1",
    "\n=1+1",
    " =1+1",
    "＝1+1",
    "＠SUM(A1)",
    "'=1",  # one more apostrophe, so that an import takes off exactly the one added
]


def _written(values: list[str]) -> list[tuple[object, str]]:
    book = Book()
    book.sheet("t", [("v", "值")], [{"v": v} for v in values])
    ws = load_workbook(io.BytesIO(book.bytes())).active
    assert ws is not None
    return [(row[0].value, row[0].data_type) for row in ws.iter_rows(min_row=2)]


@pytest.mark.parametrize("text", HARMLESS)
def test_it_leaves_harmless_text_as_typed(text: str) -> None:
    assert neutralise(text) == text
    if text:  # an empty string is an empty cell
        assert _written([text]) == [(text, "s")]


@pytest.mark.parametrize("text", ACTIVE)
def test_it_makes_what_a_spreadsheet_would_run_inert(text: str) -> None:
    assert neutralise(text) == "'" + text
    assert _written([text]) == [("'" + text, "s")]


def test_it_guards_a_formula_after_a_carriage_return() -> None:
    # Not written back here: XML turns the CR into a LF when the file is read.
    assert neutralise("\r=1+1") == "'\r=1+1"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("abc\u202edef", "abcdef"),
        ("\u202e=1+1", "'=1+1"),
        ("\u2066名\u2069\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u2067\u2068", "名"),
    ],
)
def test_it_takes_bidirectional_controls_out_of_cells(text: str, expected: str) -> None:
    assert neutralise(text) == expected
    assert _written([text]) == [(expected, "s")]


def test_it_takes_bidirectional_controls_out_of_captions_and_sheet_titles() -> None:
    book = Book()
    book.sheet("名单\u202e甲", [("v", "值")], [], caption="标题\u202e乙")
    ws = load_workbook(io.BytesIO(book.bytes())).active
    assert ws is not None
    assert (ws.title, ws["A1"].value) == ("名单甲", "标题乙")
