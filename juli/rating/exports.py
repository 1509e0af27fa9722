"""Exports of rating results: the round's ranking as Excel and as an A4 PDF (with the top
and bottom three marked and the star distribution), and one assessment as a PDF (each
criterion: points, the computed figure / the branch's score / the adjusted score and its
reason, the evidence; the veto findings; the stars and their changes).

`assessment_detail` gathers what one assessment shows; the PDF and the year-end dossier
section (`dossier.py`) both read it, so they never disagree. The PDFs are Chinese
documents (like the meeting record): their headings are the document's own text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from juli.core.pdf import render_pdf
from juli.core.xlsx import Book

from . import results, scoring
from .actions.rounds import assessment_rows
from .models import Assessment, CriterionScore, ScoreFile, StarChange, VetoFinding

BASIS_ZH = {"reviewed": "审核得分", "self": "自评得分", "mixed": "部分为自评得分", "": ""}
MARK_ZH = {"top": "前三", "bottom": "后三", "": ""}
STATUS_ZH: dict[str, str] = {
    Assessment.Status.DRAFT: "自评中",
    Assessment.Status.SUBMITTED: "已提交待审核",
    Assessment.Status.RETURNED: "退回修改",
    Assessment.Status.REVIEWED: "已审核",
    Assessment.Status.PUBLICITY: "公示中",
    Assessment.Status.PUBLISHED: "已公布",
}


def movement_text(row: results.Row) -> str:
    if row.is_new:
        return "新参评"
    change = row.rank_change
    if change is None:
        return ""
    if change > 0:
        return f"↑{change}"
    if change < 0:
        return f"↓{-change}"
    return "—"


# --- the round ----------------------------------------------------------------------------------


def _caption(table: results.Table) -> str:
    r = table.round
    basis = BASIS_ZH.get(table.basis, "")
    return f"{r.org.name} · {r.title}" + (f"（{basis}）" if basis else "")


def round_xlsx(table: results.Table) -> bytes:
    book = Book()
    columns: list[tuple[str, str]] = [
        ("rank", _("Rank")),
        ("org", _("Branch")),
        ("score", _("Score")),
        ("basis", _("Score basis")),
        ("stars", _("Stars")),
        ("mark", _("Mark")),
        ("movement", _("Since last year")),
        ("last_stars", _("Stars last year")),
    ]
    columns += [(f"cat{c.pk}", c.name) for c in table.categories]
    columns += [("vetoes", _("Veto items found")), ("status", _("Status"))]
    rows = []
    for row in table.all_rows:
        values: dict[str, Any] = {
            "rank": row.rank,
            "org": row.org.name,
            "score": row.score,
            "basis": BASIS_ZH[row.basis] if row.score is not None else "",
            "stars": row.stars,
            "mark": MARK_ZH[row.mark],
            "movement": movement_text(row),
            "last_stars": row.last_stars,
            "vetoes": "；".join(str(v.veto) for v in row.vetoes),
            "status": STATUS_ZH.get(row.assessment.status, row.assessment.status),
        }
        for cell in row.categories:
            values[f"cat{cell.category.pk}"] = cell.points if cell.maximum else None
        rows.append(values)
    book.sheet(_("Ranking"), columns, rows, caption=_caption(table))
    book.sheet(
        _("Star distribution"),
        [("stars", _("Stars")), ("count", _("Branches"))],
        [{"stars": s, "count": n} for s, n in table.distribution],
        caption=_caption(table),
    )
    return book.bytes()


def round_pdf(table: results.Table) -> bytes:
    context = {
        "table": table,
        "round": table.round,
        "basis_zh": BASIS_ZH.get(table.basis, ""),
        "rows": [(row, movement_text(row)) for row in table.all_rows],
        "dist_chart": results.distribution_chart(table.distribution, width=420, height=170),
    }
    return render_pdf(
        "pdf/rating_results.html",
        context,
        issuer=table.round.org.name,
        title=f"{table.round.title} 排名",
    )


# --- one assessment -----------------------------------------------------------------------------


@dataclass
class Line:
    row: CriterionScore
    files: list[ScoreFile]

    @property
    def criterion(self) -> Any:
        return self.row.criterion

    @property
    def evidence(self) -> list[str]:
        """The records behind the row (labels) and the files the branch added (names)."""
        out = [str(s.get("label", "")) for s in self.row.sources if isinstance(s, dict)]
        return [x for x in out if x] + [f.name for f in self.files]


@dataclass
class Detail:
    assessment: Assessment
    lines: list[Line]
    total: scoring.Total
    self_total: scoring.Total
    figure: results.Figure
    vetoes: list[VetoFinding]
    star_changes: list[StarChange]
    rank: int | None = None
    of: int = 0
    files: list[ScoreFile] = field(default_factory=list)


def assessment_detail(assessment: Assessment, *, public_only: bool = True) -> Detail:
    """Everything one assessment shows, with its rank in the round (over the public rows
    unless `public_only=False`)."""
    rows = assessment_rows(assessment)
    files = list(ScoreFile.objects.filter(score__assessment=assessment).order_by("score_id", "id"))
    by_row: dict[int, list[ScoreFile]] = {}
    for f in files:
        by_row.setdefault(f.score_id, []).append(f)
    reviewed = assessment.status in results.REVIEWED_STATES and assessment.score is not None
    self_total = scoring.total(rows, reviewed=False)
    figure = results.figure_of(assessment, None if reviewed else self_total.score)
    figs = results.round_figures([assessment.round], public_only=public_only)[assessment.round_id]
    return Detail(
        assessment=assessment,
        lines=[Line(r, by_row.get(r.pk, [])) for r in rows],
        total=scoring.total(rows, reviewed=True),
        self_total=self_total,
        figure=figure,
        vetoes=list(assessment.vetoes.select_related("veto")),
        star_changes=list(assessment.star_changes.order_by("decided_on", "id")),
        rank=figs.ranks.get(assessment.org_id),
        of=figs.ranked,
        files=files,
    )


def points_text(value: Decimal | None) -> str:
    return "" if value is None else f"{Decimal(value).normalize():f}"


def assessment_pdf(assessment: Assessment, *, public_only: bool = True) -> bytes:
    detail = assessment_detail(assessment, public_only=public_only)
    context = {
        "a": assessment,
        "d": detail,
        "status_zh": STATUS_ZH.get(assessment.status, assessment.status),
        "basis_zh": BASIS_ZH.get(detail.figure.basis, ""),
    }
    return render_pdf(
        "pdf/rating_assessment.html",
        context,
        issuer=assessment.round.org.name,
        title=f"{assessment.org.name} {assessment.round.year}年星级评定",
    )
