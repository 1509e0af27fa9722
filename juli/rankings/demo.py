"""Demo step of the rankings app: Huangpu's ranking settings and its last four weekly
rankings, computed and published from the demo's 90 days of cases (oldest week first, so
each week shows its change against the one before). Huimin district (Hohhot, where
Guangminglu lies) gets its settings switched off, to show that state. Safe to run twice.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from juli.core.demo import DemoRun, demo_step
from juli.orgs.models import Area

from . import actions, scoring
from .models import DEFAULT_WEIGHTS, Ranking

HUANGPU = "310101000000"
HUIMIN = "150103000000"
WEEKS = 4


def build_demo(stdout: Any = None) -> dict[str, int]:
    made = 0
    huangpu = Area.objects.filter(code=HUANGPU, kind=Area.Kind.DISTRICT).first()
    if huangpu is not None:
        actions.update_settings(
            None, huangpu, enabled=True, auto_publish=True, weights=dict(DEFAULT_WEIGHTS)
        )
        last = scoring.last_complete_week(timezone.localdate())
        for back in range(WEEKS - 1, -1, -1):
            week = scoring.week_label(last - datetime.timedelta(days=7 * back))
            if Ranking.objects.filter(district=huangpu, week=week).exists():
                continue
            ranking = actions.compute_ranking(None, huangpu, week)
            made += 1
            if stdout is not None:
                stdout.write(f"Ranking {huangpu.name} {week}: {ranking.rows.count()} rows")
    huimin = Area.objects.filter(code=HUIMIN, kind=Area.Kind.DISTRICT).first()
    if huimin is not None and not actions.settings_of(huimin):
        actions.update_settings(
            None, huimin, enabled=False, auto_publish=True, weights=dict(DEFAULT_WEIGHTS)
        )
    return {"rankings": made}


@demo_step("rankings", after=("cases",))
def build_rankings_step(run: DemoRun) -> dict[str, int]:
    """This app's step of `juli demo` (see `juli.core.demo`)."""
    return build_demo(stdout=run.stdout)
