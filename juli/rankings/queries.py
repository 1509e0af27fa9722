"""Read side of the rankings: the tables of one ranking, the weeks to choose from."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from . import scoring
from .models import COMPONENTS, Ranking, RankingRow

#: How many past weeks the week selector offers.
WEEK_CHOICES = 12


@dataclass
class Table:
    level: str
    label: Any
    rows: list[RankingRow] = field(default_factory=list)


def tables(ranking: Ranking) -> list[Table]:
    """The ranking's rows by level (streets, communities, units), each by rank. One query."""
    out = {level: Table(level, label) for level, label in RankingRow.Level.choices}
    for row in ranking.rows.order_by("level", "rank"):
        out[row.level].rows.append(row)
    return [out[level] for level in RankingRow.Level.values]


def weights_used(ranking: Ranking) -> list[tuple[Any, Decimal]]:
    """[(component label, weight)] as the ranking stored them."""
    return [(label, Decimal(ranking.weights.get(key, "0"))) for key, label in COMPONENTS]


def recent_weeks(today: datetime.date | None = None) -> list[str]:
    """The last complete weeks, newest first."""
    monday = scoring.last_complete_week(today or timezone.localdate())
    return [
        scoring.week_label(monday - datetime.timedelta(days=7 * i)) for i in range(WEEK_CHOICES)
    ]
