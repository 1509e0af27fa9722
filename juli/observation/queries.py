"""Read side of observation visits: a visit's score summary, a cycle's plan and its
unit-level view (整单位提升).

The unit-level view answers "did the whole unit improve across the cycle?" from what is
recorded: the hosts' averages in the order of the visits and their running mean, the mean of
the first and the second half of the scored visits, the rectification items (open, closed,
closed on time, overdue) and the same figures of the organisation's previous cycle, if any.
A fixed number of queries whatever the number of visits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Avg, Count
from django.utils import timezone
from django.utils.translation import gettext_lazy

from .models import ASPECTS, ObservationCycle, ObservationVisit, Rectification, ScoreSheet

CENT = Decimal("0.01")


def _q(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def sheet_summary(visit: ObservationVisit) -> dict[str, Any]:
    """Averages per aspect and of the totals, over the sheets so far (one query)."""
    agg = ScoreSheet.objects.filter(visit=visit).aggregate(
        n=Count("pk"), total=Avg("total"), **{a: Avg(a) for a in ASPECTS}
    )
    return {
        "n": agg["n"],
        "total": _q(agg["total"]),
        "aspects": [(a, _q(agg[a])) for a in ASPECTS],
    }


@dataclass
class RectCounts:
    total: int = 0
    open: int = 0
    closed: int = 0
    on_time: int = 0
    overdue: int = 0

    @property
    def share_closed(self) -> Decimal | None:
        return None if not self.total else _q(Decimal(100) * self.closed / self.total)


def rect_counts(items: list[Rectification]) -> RectCounts:
    today = timezone.localdate()
    c = RectCounts()
    for r in items:
        c.total += 1
        if r.status == Rectification.Status.CLOSED:
            c.closed += 1
            c.on_time += 1 if r.closed_on_time else 0
        else:
            c.open += 1
            c.overdue += 1 if r.deadline < today else 0
    return c


@dataclass
class Progress:
    cycle: ObservationCycle
    rows: list[dict[str, Any]] = field(default_factory=list)
    running: list[tuple[int, Decimal]] = field(default_factory=list)
    mean: Decimal | None = None
    first_half: Decimal | None = None
    second_half: Decimal | None = None
    rects: RectCounts = field(default_factory=RectCounts)
    tiers: dict[str, int] = field(default_factory=dict)
    previous: ObservationCycle | None = None
    previous_mean: Decimal | None = None
    previous_rects: RectCounts | None = None

    @property
    def change(self) -> Decimal | None:
        if self.mean is None or self.previous_mean is None:
            return None
        return self.mean - self.previous_mean

    @property
    def halves_change(self) -> Decimal | None:
        if self.first_half is None or self.second_half is None:
            return None
        return self.second_half - self.first_half


def _mean(values: list[Decimal]) -> Decimal | None:
    return _q(sum(values) / len(values)) if values else None


def progress(cycle: ObservationCycle) -> Progress:
    out = Progress(cycle=cycle)
    visits = list(
        ObservationVisit.objects.filter(cycle=cycle).select_related("host").order_by("sequence")
    )
    items = list(Rectification.objects.filter(visit__cycle=cycle))
    by_visit: dict[int, list[Rectification]] = defaultdict(list)
    for r in items:
        by_visit[r.visit_id].append(r)
    scored: list[Decimal] = []
    for v in visits:
        if v.average is not None:
            scored.append(v.average)
            out.running.append((v.sequence, _mean(scored) or Decimal(0)))
        out.rows.append({"visit": v, "rects": rect_counts(by_visit.get(v.pk, []))})
        if v.tier:
            out.tiers[v.tier] = out.tiers.get(v.tier, 0) + 1
    out.mean = _mean(scored)
    half = len(scored) // 2
    if half:
        out.first_half = _mean(scored[:half])
        out.second_half = _mean(scored[half:])
    out.rects = rect_counts(items)
    out.previous = (
        ObservationCycle.objects.filter(org=cycle.org, starts_on__lt=cycle.starts_on)
        .order_by("-starts_on", "-pk")
        .first()
    )
    if out.previous is not None:
        prev = list(
            ObservationVisit.objects.filter(cycle=out.previous, average__isnull=False).values_list(
                "average", flat=True
            )
        )
        out.previous_mean = _mean([a for a in prev if a is not None])
        out.previous_rects = rect_counts(
            list(Rectification.objects.filter(visit__cycle=out.previous))
        )
    return out


#: What each step of the history is called (the event rows keep the action's key).
EVENT_LABELS = {
    "create": gettext_lazy("Created"),
    "open": gettext_lazy("Opened"),
    "hold": gettext_lazy("Held"),
    "score": gettext_lazy("Scoring finished"),
    "close": gettext_lazy("Closed"),
    "reopen": gettext_lazy("Reopened"),
    "swap": gettext_lazy("Dates swapped"),
    "move": gettext_lazy("Date moved"),
    "escalate": gettext_lazy("Escalated"),
    "evidence": gettext_lazy("Evidence added"),
}


@dataclass(frozen=True)
class HistoryLine:
    at: Any
    actor: Any
    action: str
    label: Any
    before: Any
    after: Any
    note: str


def history(events: Any, status_labels: Mapping[str, Any]) -> list[HistoryLine]:
    """The event rows as people read them: the step's name and the states' labels."""
    return [
        HistoryLine(
            at=e.at,
            actor=e.actor,
            action=e.action,
            label=EVENT_LABELS.get(e.action, e.action),
            before=status_labels.get(e.from_status, e.from_status) if e.from_status else "",
            after=status_labels.get(e.to_status, e.to_status) if e.to_status else "",
            note=e.note,
        )
        for e in events.order_by("at", "pk")
    ]
