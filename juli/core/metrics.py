"""The registry of measured figures: what an organisation's records say about one period.

A rating standard scores some criteria from records Juli already holds ("computed"
criteria): meeting compliance, the letter's grade, cases closed on time, observation
rectifications closed, projects delivered. The app that owns the records declares the
figure in a module `metrics.py` of its own folder:

    from juli.core.metrics import Figure, Metric, Source, register

    def _compliance(orgs, start, end):
        return {org.pk: Figure(share=Decimal("0.92"), text="11/12", sources=[...]) ...}

    register(Metric("meetings.compliance", _("Meeting compliance"), _compliance))

`compute(orgs, start, end)` receives the party organisations (model instances with `pk`,
`path`, `kind`, `area_id`) and the period's first and last day (inclusive); it answers one
`Figure` per organisation it has data for, in a fixed number of queries for any number of
organisations. An organisation missing from the answer has no data for the period ("not
applicable": a branch with no areas has no cases), which is not the same as a share of 0.

A figure is a `share` between 0 and 1 (what the standard turns into points), a short text
for people ("11 of 12 meetings held"), and the records behind it (`sources`: a label and a
link each, at most a few dozen), so that every computed score can be traced.

The rating app reads the registry and never imports the apps that fill it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise

from .discovery import Discovery

#: The module name core looks for in every installed app.
MODULE = "metrics"


@dataclass(frozen=True)
class Source:
    """One record behind a figure: what it is, where to read it, and its identity."""

    label: str
    url: str = ""
    record: str = ""  # "app_label.model:pk", for the dossier's evidence
    note: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"label": self.label, "url": self.url, "record": self.record, "note": self.note}


@dataclass(frozen=True)
class Figure:
    """What the records say: a share in [0, 1], a text, the records behind it."""

    share: Decimal
    text: str = ""
    sources: Sequence[Source] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if not Decimal(0) <= Decimal(self.share) <= Decimal(1):
            raise ValueError(f"a figure's share lies in [0, 1], not {self.share}")


Compute = Callable[[Sequence[Any], datetime.date, datetime.date], dict[int, Figure]]


@dataclass(frozen=True)
class Metric:
    """A measured figure: `key` (stored in criteria: never change it), `label`, the function,
    and a description of how the share is computed (shown to the branch)."""

    key: str
    label: str | Promise
    compute: Compute
    description: str | Promise = ""
    order: int = 100

    def __post_init__(self) -> None:
        if not self.key or len(self.key) > 40:
            raise ImproperlyConfigured(f"metric key {self.key!r}: 1–40 characters")


_metrics: dict[str, Metric] = {}
_discovery = Discovery(MODULE)


def register(metric: Metric) -> Metric:
    """Add a metric; registering an equal one again is a no-op, a different one under a
    taken key raises ImproperlyConfigured."""
    known = _metrics.get(metric.key)
    if known is not None and known != metric:
        raise ImproperlyConfigured(f"metric {metric.key!r} is already registered")
    _metrics[metric.key] = metric
    return metric


def unregister(key: str) -> None:
    """Tests only."""
    _metrics.pop(key, None)


def metrics() -> list[Metric]:
    _discovery()
    return sorted(_metrics.values(), key=lambda m: (m.order, m.key))


def get(key: str) -> Metric | None:
    _discovery()
    return _metrics.get(key)


def choices() -> list[tuple[str, Any]]:
    return [(m.key, m.label) for m in metrics()]


def measure(
    key: str, orgs: Sequence[Any], start: datetime.date, end: datetime.date
) -> dict[int, Figure]:
    """The figures of `orgs` for the period; {} for an unknown key (a metric whose app was
    removed: its criteria have no data)."""
    metric = get(key)
    if metric is None or not orgs:
        return {}
    return metric.compute(orgs, start, end)
