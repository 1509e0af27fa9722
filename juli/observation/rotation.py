"""The visit plan of a cycle: who hosts when, and who visits whom. Pure functions.

Rules (tested in `tests/test_rotation.py`):

- **Every branch hosts exactly once.** The hosts are the cycle's branches in the order given
  (the tree's order, so that a general branch's branches come one after another).
- **Dates**: the working days (Monday to Friday) from the first to the last day of the
  cycle; visit *i* of *n* takes working day ⌊i·W/n⌋ of the *W* working days, so visits are
  spread evenly over the whole cycle (with 42 branches and a year, about one a week). A
  cycle with fewer working days than branches is refused.
- **Visitors**: with *k* visiting branches per visit (0: every other branch), visit *i*'s
  visitors are the branches at offsets d₁ … d_k after the host in the circle of hosts, where
  d_m = round(m·n/(k+1)): the offsets are distinct and between 1 and n−1, so a host never
  visits itself, and every branch visits exactly *k* times (a circulant plan: the counts
  differ by 0). Spreading the offsets keeps a branch from always visiting its neighbours.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


class PlanError(ValueError):
    """The cycle cannot be planned as asked (the message says why)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Slot:
    sequence: int
    host_index: int
    day: datetime.date
    visitor_indexes: tuple[int, ...]


def working_days(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    days = []
    day = start
    while day <= end:
        if day.weekday() < 5:
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def offsets(n: int, k: int) -> list[int]:
    """The distinct offsets (1 … n−1) of a host's visitors in the circle of `n` hosts."""
    if k == 0 or k >= n - 1:
        return list(range(1, n))
    return [round(m * n / (k + 1)) for m in range(1, k + 1)]


def plan(n: int, start: datetime.date, end: datetime.date, visitors_per_visit: int) -> list[Slot]:
    """The slots of a cycle of `n` hosts (see the module's rules)."""
    if n < 2:
        raise PlanError("A cycle needs at least two branches.", "too_few_branches")
    if visitors_per_visit < 0 or visitors_per_visit > n - 1:
        raise PlanError("Too many visiting branches per visit.", "too_many_visitors")
    days = working_days(start, end)
    if len(days) < n:
        raise PlanError("The cycle has fewer working days than branches.", "too_short")
    steps = offsets(n, visitors_per_visit)
    return [
        Slot(
            sequence=i + 1,
            host_index=i,
            day=days[i * len(days) // n],
            visitor_indexes=tuple(sorted((i + d) % n for d in steps)),
        )
        for i in range(n)
    ]


def assign(items: Sequence[T], slot: Slot) -> tuple[T, list[T]]:
    """The host and visitors of `slot` among `items`."""
    return items[slot.host_index], [items[j] for j in slot.visitor_indexes]
