"""The ranking as an A4 PDF and as an Excel workbook; both state the weights used.

Both list each level's ranked rows by rank, then its unranked rows ("不参与排名：本周无数据",
no rank, no score); a shared rank reads "并列第 n" (the workbook keeps the rank a number and
says it in the "rank note" column)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from juli.core.pdf import render_pdf
from juli.core.xlsx import Book

from . import queries
from .models import COMPONENTS, Ranking, RankingRow

PERCENT = "0.00"


def title_of(ranking: Ranking) -> str:
    return _("Weekly ranking %(week)s") % {"week": ranking.week}


def _dates(ranking: Ranking) -> str:
    import datetime

    end = ranking.week_start + datetime.timedelta(days=6)
    return f"{ranking.week_start:%Y-%m-%d} – {end:%Y-%m-%d}"


def ranking_pdf(ranking: Ranking) -> bytes:
    context = {
        "ranking": ranking,
        "tables": queries.tables(ranking),
        "weights": queries.weights_used(ranking),
        "dates": _dates(ranking),
    }
    return render_pdf(
        "rankings/pdf.html", context, issuer=ranking.district.name, title=title_of(ranking)
    )


def _change(row: RankingRow) -> Any:
    if not row.ranked:
        return None
    return _("New to the ranking") if row.change is None else row.change


def row_values(row: RankingRow) -> dict[str, Any]:
    """One row as the workbook (and the page) shows it; None for an undefined rate and for
    the rank, score and figures without data of an unranked row."""
    note = row.rank_label if (row.tied or not row.ranked) else ""
    return {
        "rank": row.rank if row.ranked else None,
        "rank_note": note,
        "change": _change(row),
        "name": row.name,
        "band": row.get_band_display() if row.ranked else "",
        "total": row.total if row.ranked else None,
        "cases": row.cases,
        "inspections": row.inspections,
        "deduction_total": row.deduction_total if row.looked_at else None,
        "on_time": row.on_time_rate,
        "on_time_of": f"{row.on_time_count}/{row.due_count}",
        "verification": row.verify_rate,
        "verification_of": f"{row.verify_passed}/{row.verify_total}",
        "repeats": row.repeat_count if row.looked_at else None,
        "zero": row.zero_rate,
        "zero_of": f"{row.zero_clean}/{row.zero_points}",
    }


def columns() -> list[tuple[str, str]]:
    return [
        ("rank", _("Rank")),
        ("rank_note", _("Rank note")),
        ("change", _("Rank change")),
        ("name", _("Subject")),
        ("band", _("Band")),
        ("total", _("Score")),
        ("cases", _("Cases reported")),
        ("inspections", _("Inspections")),
        ("deduction_total", _("Deduction points")),
        ("on_time", _("On-time rectification (%)")),
        ("on_time_of", _("On time / due")),
        ("verification", _("Verification pass rate (%)")),
        ("verification_of", _("Passed / verified")),
        ("repeats", _("Repeat problems")),
        ("zero", _("Zero-deduction compliance (%)")),
        ("zero_of", _("Clean / zero-deduction points")),
    ]


def ranking_xlsx(ranking: Ranking) -> bytes:
    book = Book()
    caption = f"{ranking.district.name} {title_of(ranking)} ({_dates(ranking)})"
    formats = {"total": PERCENT, "deduction_total": PERCENT, "on_time": PERCENT}
    formats |= {"verification": PERCENT, "zero": PERCENT}
    for table in queries.tables(ranking):
        book.sheet(
            str(table.label),
            columns(),
            [row_values(r) for r in table.shown],
            caption=caption,
            number_formats=formats,
        )
    book.sheet(
        _("Weights"),
        [("component", _("Component")), ("weight", _("Weight"))],
        [{"component": str(label), "weight": w} for label, w in queries.weights_used(ranking)],
        caption=caption,
    )
    return book.bytes()


__all__ = ["COMPONENTS", "ranking_pdf", "ranking_xlsx"]
