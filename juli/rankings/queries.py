"""Read side of the rankings: the tables of one ranking, the weeks to choose from."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import F, QuerySet
from django.utils import timezone

from . import scoring
from .models import COMPONENTS, Ranking, RankingRow

#: How many past weeks the week selector offers.
WEEK_CHOICES = 12


#: A level with more rows than this shows its head and tail (抓两头带中间: the two ends are
#: what the meeting talks about) and folds the middle behind "show all".
FOLD_AT = 30
#: How many rows of each end a folded level shows.
FOLD_KEEP = 10


@dataclass
class Table:
    level: str
    label: Any
    #: The ranked rows, by rank (tied rows by name).
    rows: list[RankingRow] = field(default_factory=list)
    #: The rows not ranked (no data this week), by name: listed after the ranked ones.
    unranked: list[RankingRow] = field(default_factory=list)
    #: Rows of the folded middle (0: the table shows every row).
    hidden: int = 0
    #: The rank position after which the fold sits.
    fold_after: int = 0
    #: Unranked rows left out of the list (0: every one is shown).
    hidden_unranked: int = 0
    total: int = 0
    total_unranked: int = 0

    def fold(self) -> None:
        """Keep the first and last FOLD_KEEP ranked rows when there are more than FOLD_AT,
        and the first FOLD_KEEP unranked ones when there are more than FOLD_AT of those."""
        self.total = len(self.rows)
        self.total_unranked = len(self.unranked)
        if self.total > FOLD_AT:
            self.hidden = self.total - 2 * FOLD_KEEP
            self.fold_after = FOLD_KEEP
            self.rows = self.rows[:FOLD_KEEP] + self.rows[-FOLD_KEEP:]
        if self.total_unranked > FOLD_AT:
            self.hidden_unranked = self.total_unranked - FOLD_KEEP
            self.unranked = self.unranked[:FOLD_KEEP]

    @property
    def shown(self) -> list[RankingRow]:
        return self.rows + self.unranked

    @property
    def unranked_count(self) -> int:
        """The unranked subjects of the level, folded ones included."""
        return self.total_unranked or len(self.unranked)

    @property
    def count(self) -> int:
        """Every subject of the level, ranked or not (folded ones included)."""
        return (self.total or len(self.rows)) + self.unranked_count


def tables(ranking: Ranking, *, repeats: bool = True) -> list[Table]:
    """The ranking's rows by level (streets, communities, units), each by rank, the
    unranked ones apart. One query.

    `repeats=False` leaves out each row's list of repeat-problem points (at 10M cases a few
    megabytes for a district); `attach_repeats` then reads it for the rows a page shows."""
    out = {level: Table(level, label) for level, label in RankingRow.Level.choices}
    rows = ordered(ranking.rows.all())
    if not repeats:
        rows = rows.defer("repeat_points")
    for row in rows:
        table = out[row.level]
        (table.rows if row.ranked and row.rank is not None else table.unranked).append(row)
    return [out[level] for level in RankingRow.Level.values]


def ordered(rows: QuerySet[RankingRow]) -> QuerySet[RankingRow]:
    """By level, rank (unranked last on every database), then as written (tied by name)."""
    return rows.order_by("level", F("rank").asc(nulls_last=True), "id")


def attach_repeats(tables_: list[Table]) -> None:
    """Read the repeat-problem points of the rows the tables show. One query."""
    shown = {row.pk: row for t in tables_ for row in t.shown}
    found = RankingRow.objects.filter(pk__in=shown).values_list("pk", "repeat_points")
    for pk, points in found:
        shown[pk].repeat_points = points


def weights_used(ranking: Ranking) -> list[tuple[Any, Decimal]]:
    """[(component label, weight)] as the ranking stored them."""
    return [(label, Decimal(ranking.weights.get(key, "0"))) for key, label in COMPONENTS]


def recent_weeks(today: datetime.date | None = None) -> list[str]:
    """The last complete weeks, newest first."""
    monday = scoring.last_complete_week(today or timezone.localdate())
    return [
        scoring.week_label(monday - datetime.timedelta(days=7 * i)) for i in range(WEEK_CHOICES)
    ]
