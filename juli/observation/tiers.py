"""Tiers of hosts from their scores (先进 / 中间 / 后进: "抓两头带中间").

Over the cycle's visits that have an average (scored or closed), with *n* of them:

- 先进 (advanced): fewer than a third of them (3·higher < n) score strictly higher;
- 后进 (lagging): otherwise, fewer than a third of them score strictly lower;
- 中间 (middle): the rest.

Equal averages always share a tier; with 42 hosts the top 14 are advanced and the bottom 14
lagging when no two tie. The tiers move as more visits are scored: they are recomputed over
the whole cycle every time a visit's scoring ends, and are final when the last one is.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TypeVar

K = TypeVar("K")

ADVANCED = "advanced"
MIDDLE = "middle"
LAGGING = "lagging"


def tiers(averages: Mapping[K, Decimal]) -> dict[K, str]:
    values = list(averages.values())
    n = len(values)
    out: dict[K, str] = {}
    for key, value in averages.items():
        higher = sum(1 for v in values if v > value)
        lower = sum(1 for v in values if v < value)
        if 3 * higher < n:
            out[key] = ADVANCED
        elif 3 * lower < n:
            out[key] = LAGGING
        else:
            out[key] = MIDDLE
    return out
