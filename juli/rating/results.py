"""The results of rating rounds, read side only: ranking, movement, distribution, trends.

Every figure comes from `scoring` (nothing is computed twice) and from what the actions
stored on the assessments; this module never writes.

**Which score a row shows** (`basis`):
- *reviewed*: the assessment has been reviewed (reviewed, on notice or published) and has
  a stored `score`: that score; its stars are the proposed `stars`, or, once published, the
  stars in force (`current_stars`, after any recorded star change).
- *self*: not reviewed yet: the branch's self-assessed score (the stored `self_score`, or,
  for the current round's table, the total of its own rows so far, missing judged criteria
  counting 0) and the stars that score would give (no veto is found by a branch itself).
A table whose rows are all reviewed says `reviewed`, all self `self`, otherwise `mixed`.

**Who sees what**: those who run the round see every row at any time; everyone else
(`public_only=True`) sees only the rows on notice or published, with their reviewed figures.

**Rank** is `scoring.ranks` over the shown scores (ties share, the next skips); top and
bottom three by `scoring.edges`. **Movement** compares with the same organiser's round of
the previous year, read the same way: `rank_change` > 0 is a move up; a branch that was not
in last year's round is `new`; without a previous round there is no movement at all.

Queries: `round_table` runs a fixed number (7) whatever the number of branches; `trend` and
`branch_history` 3–4.

Charts are drawn server-side as SVG from the geometry here (`distribution_chart`,
`trend_chart`), in the pages and in the PDFs alike: no chart library, nothing to run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch

from juli.orgs.models import PartyOrg

from . import scoring
from .access import PUBLIC_STATES
from .models import (
    Assessment,
    CriterionScore,
    RatingRound,
    StandardCategory,
    StarChange,
    VetoFinding,
)

REVIEWED_STATES = (
    Assessment.Status.REVIEWED,
    Assessment.Status.PUBLICITY,
    Assessment.Status.PUBLISHED,
)
STAR_LEVELS = range(6)


@dataclass
class Figure:
    """What one assessment shows in a ranking: score, its basis, stars."""

    score: Decimal | None
    basis: str  # "reviewed" | "self"
    stars: int | None


def figure_of(a: Assessment, self_score: Decimal | None = None) -> Figure:
    """The figure of an assessment by the rule in the module docstring (round and standard
    loaded). `self_score` overrides the stored one (the table's total of the rows)."""
    if a.status in REVIEWED_STATES and a.score is not None:
        if a.status == Assessment.Status.PUBLISHED and a.current_stars is not None:
            stars: int | None = a.current_stars
        elif a.stars is not None:
            stars = a.stars
        else:
            stars = scoring.stars_for(a.round.standard, a.score)
        return Figure(Decimal(a.score), "reviewed", stars)
    score = self_score if self_score is not None else a.self_score
    if score is None:
        return Figure(None, "self", None)
    return Figure(Decimal(score), "self", scoring.stars_for(a.round.standard, Decimal(score)))


def basis_of(figures: Iterable[Figure]) -> str:
    kinds = {f.basis for f in figures if f.score is not None}
    if not kinds:
        return ""
    return kinds.pop() if len(kinds) == 1 else "mixed"


@dataclass
class RoundFigures:
    """One round's figures by branch (org id), with ranks."""

    round: RatingRound
    figures: dict[int, Figure]
    ranks: dict[int, int]

    @property
    def ranked(self) -> int:
        return len(self.ranks)


def round_figures(rounds: Sequence[RatingRound], *, public_only: bool) -> dict[int, RoundFigures]:
    """The stored figures and ranks of several rounds, by round id: one query."""
    if not rounds:
        return {}
    qs = Assessment.objects.filter(round__in=rounds).select_related("round__standard")
    if public_only:
        qs = qs.filter(status__in=PUBLIC_STATES)
    by_round: dict[int, dict[int, Figure]] = defaultdict(dict)
    for a in qs:
        by_round[a.round_id][a.org_id] = figure_of(a)
    out = {}
    for r in rounds:
        figures = by_round.get(r.pk, {})
        ranks = scoring.ranks([(org, f.score) for org, f in figures.items()])
        out[r.pk] = RoundFigures(r, figures, ranks)
    return out


def previous_round(round_: RatingRound) -> RatingRound | None:
    return (
        RatingRound.objects.filter(org_id=round_.org_id, year=round_.year - 1)
        .select_related("standard")
        .first()
    )


# --- the round's table --------------------------------------------------------------------------


@dataclass
class CategoryCell:
    category: StandardCategory
    points: Decimal  # Σ shown points of the applicable criteria
    maximum: Decimal  # Σ points of the applicable criteria (0: nothing applies)


@dataclass
class Row:
    assessment: Assessment
    org: PartyOrg
    figure: Figure
    rank: int | None
    mark: str  # "top" | "bottom" | ""
    categories: list[CategoryCell]
    vetoes: list[VetoFinding]
    star_changes: list[StarChange]
    last_rank: int | None = None
    last_stars: int | None = None
    is_new: bool = False

    @property
    def score(self) -> Decimal | None:
        return self.figure.score

    @property
    def stars(self) -> int | None:
        return self.figure.stars

    @property
    def basis(self) -> str:
        return self.figure.basis

    @property
    def rank_change(self) -> int | None:
        """Places moved up since last year (negative: down); None when not comparable."""
        if self.rank is None or self.last_rank is None:
            return None
        return self.last_rank - self.rank

    @property
    def rank_change_abs(self) -> int | None:
        change = self.rank_change
        return None if change is None else abs(change)

    @property
    def stars_change(self) -> int | None:
        if self.stars is None or self.last_stars is None:
            return None
        return self.stars - self.last_stars


@dataclass
class Table:
    round: RatingRound
    categories: list[StandardCategory]
    rows: list[Row]
    public_only: bool
    previous: RatingRound | None
    unranked: list[Row] = field(default_factory=list)

    @property
    def basis(self) -> str:
        return basis_of(r.figure for r in self.rows)

    @property
    def ranked(self) -> int:
        return sum(1 for r in self.rows if r.rank is not None)

    @property
    def distribution(self) -> list[tuple[int, int]]:
        return distribution_of(r.stars for r in self.rows)

    @property
    def all_rows(self) -> list[Row]:
        return self.rows + self.unranked


def distribution_of(stars: Iterable[int | None]) -> list[tuple[int, int]]:
    """[(stars, count)] for 0 … 5 stars (rows without stars are not counted)."""
    counts = dict.fromkeys(STAR_LEVELS, 0)
    for s in stars:
        if s is not None:
            counts[s] += 1
    return list(counts.items())


def round_table(round_: RatingRound, *, public_only: bool = False) -> Table:
    """The ranking of a round: a row per branch (ranked first, by rank then name; rows with
    no score yet after), per-category subtotals, veto findings, star changes, movement."""
    qs = Assessment.objects.filter(round=round_).select_related("org")
    if public_only:
        qs = qs.filter(status__in=PUBLIC_STATES)
    assessments = list(qs)
    for a in assessments:
        a.round = round_
    categories = list(round_.standard.categories.order_by("order", "id"))
    rows_of: dict[int, list[CriterionScore]] = defaultdict(list)
    for s in CriterionScore.objects.filter(assessment__in=assessments).select_related("criterion"):
        rows_of[s.assessment_id].append(s)
    vetoes_of: dict[int, list[VetoFinding]] = defaultdict(list)
    for v in VetoFinding.objects.filter(assessment__in=assessments).select_related("veto"):
        vetoes_of[v.assessment_id].append(v)
    changes_of: dict[int, list[StarChange]] = defaultdict(list)
    for c in StarChange.objects.filter(assessment__in=assessments).order_by("decided_on", "id"):
        changes_of[c.assessment_id].append(c)

    built: list[Row] = []
    for a in assessments:
        scores = rows_of[a.pk]
        reviewed = a.status in REVIEWED_STATES and a.score is not None
        self_total = None if reviewed else scoring.total(scores, reviewed=False).score
        cells = []
        for cat in categories:
            mine = [s for s in scores if s.criterion.category_id == cat.pk]
            t = scoring.total(mine, reviewed=reviewed)
            cells.append(CategoryCell(cat, t.points, t.maximum))
        built.append(
            Row(
                assessment=a,
                org=a.org,
                figure=figure_of(a, self_total),
                rank=None,
                mark="",
                categories=cells,
                vetoes=vetoes_of[a.pk],
                star_changes=changes_of[a.pk],
            )
        )
    rank_of = scoring.ranks([(r.org.pk, r.score) for r in built])
    top, bottom = scoring.edges(rank_of)
    for r in built:
        r.rank = rank_of.get(r.org.pk)
        r.mark = "top" if r.org.pk in top else "bottom" if r.org.pk in bottom else ""

    previous = previous_round(round_)
    if previous is not None:
        last = round_figures([previous], public_only=public_only)[previous.pk]
        for r in built:
            before = last.figures.get(r.org.pk)
            if before is None:
                r.is_new = True
            else:
                r.last_rank = last.ranks.get(r.org.pk)
                r.last_stars = before.stars
    ranked = sorted((r for r in built if r.rank is not None), key=lambda r: (r.rank, r.org.path))
    unranked = sorted((r for r in built if r.rank is None), key=lambda r: r.org.path)
    return Table(round_, categories, ranked, public_only, previous, unranked)


def distribution(round_: RatingRound, *, public_only: bool = False) -> list[tuple[int, int]]:
    """How many branches of the round have 0 … 5 stars (the shown stars)."""
    return round_table(round_, public_only=public_only).distribution


# --- trends over the years ----------------------------------------------------------------------


@dataclass
class Point:
    year: int
    round: RatingRound
    score: Decimal | None
    basis: str
    stars: int | None
    rank: int | None
    of: int  # ranked branches in the round


@dataclass
class Series:
    org: PartyOrg
    points: dict[int, Point]  # by year


@dataclass
class YearSummary:
    year: int
    branches: int  # with a score
    average: Decimal | None
    three_stars_or_more: int
    share_three_plus: Decimal | None  # in [0, 1]


@dataclass
class Trend:
    organiser: PartyOrg
    years: list[int]
    series: list[Series]
    summary: list[YearSummary]


def trend(
    organiser: PartyOrg,
    years: Sequence[int] | None = None,
    *,
    branches: Iterable[int] | None = None,
    public_only: bool = True,
) -> Trend:
    """Score, stars and rank per year per branch across the organiser's rounds (all its
    years, or those given), for all its branches or the given org ids; with the unit-level
    summary per year (average score, branches with three stars or more)."""
    rounds_qs = RatingRound.objects.filter(org=organiser).select_related("standard")
    if years is not None:
        rounds_qs = rounds_qs.filter(year__in=list(years))
    rounds = sorted(rounds_qs, key=lambda r: r.year)
    figs = round_figures(rounds, public_only=public_only)
    wanted = None if branches is None else set(branches)
    org_ids = {org for f in figs.values() for org in f.figures if wanted is None or org in wanted}
    orgs = {o.pk: o for o in PartyOrg.objects.filter(pk__in=org_ids)}
    series: dict[int, Series] = {}
    summary = []
    for r in rounds:
        f = figs[r.pk]
        for org_id, fig in f.figures.items():
            if org_id not in orgs:
                continue
            s = series.setdefault(org_id, Series(orgs[org_id], {}))
            s.points[r.year] = Point(
                r.year, r, fig.score, fig.basis, fig.stars, f.ranks.get(org_id), f.ranked
            )
        scored = [
            fig
            for org_id, fig in f.figures.items()
            if fig.score is not None and (wanted is None or org_id in wanted)
        ]
        n = len(scored)
        three = sum(1 for fig in scored if (fig.stars or 0) >= 3)
        summary.append(
            YearSummary(
                year=r.year,
                branches=n,
                average=scoring.q2(sum((fig.score or Decimal(0) for fig in scored), Decimal(0)) / n)
                if n
                else None,
                three_stars_or_more=three,
                share_three_plus=(Decimal(three) / n).quantize(Decimal("0.0001")) if n else None,
            )
        )
    return Trend(
        organiser=organiser,
        years=[r.year for r in rounds],
        series=sorted(series.values(), key=lambda s: s.org.path),
        summary=summary,
    )


@dataclass
class HistoryLine:
    assessment: Assessment
    round: RatingRound
    figure: Figure
    rank: int | None
    of: int
    star_changes: list[StarChange]
    vetoes: list[VetoFinding]


def branch_history(assessments: Iterable[Assessment], run_rounds: set[int]) -> list[HistoryLine]:
    """One branch's line per round, oldest first, from the assessments the reader sees
    (`access.visible_assessments` filtered to the branch). "Rank of N" is read over every
    branch of the round for the rounds the reader runs (`run_rounds`, ids), and over the
    rows on notice or published otherwise (no rank before the round is public)."""
    items = list(
        Assessment.objects.filter(pk__in=[a.pk for a in assessments])
        .select_related("round", "round__standard", "org")
        .prefetch_related(
            Prefetch("star_changes", queryset=StarChange.objects.order_by("decided_on", "id")),
            Prefetch("vetoes", queryset=VetoFinding.objects.select_related("veto")),
        )
    )
    rounds = [a.round for a in items]
    full = round_figures([r for r in rounds if r.pk in run_rounds], public_only=False)
    public = round_figures([r for r in rounds if r.pk not in run_rounds], public_only=True)
    lines = []
    for a in sorted(items, key=lambda a: (a.round.year, a.round_id)):
        f = full.get(a.round_id) or public[a.round_id]
        lines.append(
            HistoryLine(
                assessment=a,
                round=a.round,
                figure=figure_of(a),
                rank=f.ranks.get(a.org_id),
                of=f.ranked,
                star_changes=list(a.star_changes.all()),
                vetoes=list(a.vetoes.all()),
            )
        )
    return lines


# --- chart geometry (SVG, drawn by the templates) -----------------------------------------------


@dataclass
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float

    @property
    def cx(self) -> float:
        return round(self.x + self.width / 2, 1)


def distribution_chart(
    dist: Sequence[tuple[int, int]], *, width: int = 360, height: int = 180
) -> dict[str, Any]:
    """Bars of the star distribution in a `width`×`height` box (labels below, counts above)."""
    top, bottom, side = 18, 24, 8
    peak = max((n for _s, n in dist), default=0) or 1
    slot = (width - 2 * side) / max(len(dist), 1)
    inner = height - top - bottom
    bars = []
    for i, (stars, n) in enumerate(dist):
        h = inner * n / peak
        bars.append(
            Bar(
                label="★" * stars if stars else "0",
                value=n,
                x=round(side + i * slot + slot * 0.15, 1),
                y=round(top + inner - h, 1),
                width=round(slot * 0.7, 1),
                height=round(h, 1),
            )
        )
    return {"width": width, "height": height, "bars": bars, "base": top + inner}


def trend_chart(
    points: Sequence[tuple[int, Decimal | None]], *, width: int = 360, height: int = 160
) -> dict[str, Any]:
    """A score line over the years (0–100 scale) in a `width`×`height` box."""
    left, right, top, bottom = 30, 12, 12, 22
    inset = 16  # keeps the first and last labels clear of the axis figures
    years = [y for y, _s in points]
    inner_w, inner_h = width - left - right, height - top - bottom
    span = inner_w - 2 * inset
    step = span / max(len(years) - 1, 1)
    dots = []
    for i, (year, score) in enumerate(points):
        x = left + (inset + i * step if len(years) > 1 else inner_w / 2)
        y = None if score is None else top + inner_h * (1 - float(score) / 100)
        dots.append(
            {
                "year": year,
                "score": score,
                "x": round(x, 1),
                "y": None if y is None else round(y, 1),
            }
        )
    line = " ".join(f"{d['x']},{d['y']}" for d in dots if d["y"] is not None)
    grid = [{"value": v, "y": round(top + inner_h * (1 - v / 100), 1)} for v in (0, 60, 80, 100)]
    return {
        "width": width,
        "height": height,
        "dots": dots,
        "line": line,
        "grid": grid,
        "left": left,
        "right": width - right,
        "base": top + inner_h,
    }
