"""The cases demo: months of inspections and cases over the Dapuqiao and Guangminglu points.

`build_cases_demo` runs on top of the organisation demo (`juli.orgs.demo.build_demo`): it
loads the working-time calendar, creates point categories with their checklists and case
categories with their time limits, the points of both streets with their responsible units
and persons, a few more accounts (a second inspector per street, Guangminglu's officer and
grid worker, the staff of the units that work in Juli), then replays `days` days of the loop
up to the build day (see `simulate`). Every write goes through the actions. All randomness
comes from one generator seeded with a constant, and every timestamp is derived from the
build date: two builds on the same date give the same world.
"""

from __future__ import annotations

import datetime
import random
import time
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from juli.core.demo import DEFAULT_DAYS, DemoRun, demo_step

if TYPE_CHECKING:
    from juli.orgs.demo.base import Writer

SEED = 20241122  # fixed: the world depends on the build date only


def build_cases_demo(
    days: int = DEFAULT_DAYS,
    *,
    today: datetime.date | None = None,
    stdout: Writer | None = None,
) -> dict[str, Any]:
    """Build the cases world for the `days` days ending on `today` (default: the local date).

    Needs the organisation demo and no points or categories yet. Returns counts of what
    exists (cases per status under `cases_<status>`), `logins` (accounts it created, as
    (username, description)) and `seconds` taken. `today` later than the local date is
    refused: the demo never writes the future.
    """
    from .setup import WorldSetup
    from .simulate import Simulation

    started = time.monotonic()
    today = today or timezone.localdate()
    if today > timezone.localdate():
        raise ValueError("The demo ends today at the latest.")
    if days < 1:
        raise ValueError("The demo covers at least one day.")
    rng = random.Random(SEED)
    with transaction.atomic():
        if stdout is not None:
            stdout.write("Cases: calendar, categories, checklists, points, accounts …\n")
        world = WorldSetup(rng).build()
        if stdout is not None:
            stdout.write(f"Cases: {days} days of inspections and cases up to {today} …\n")
        Simulation(world, rng, today - datetime.timedelta(days=days), today).run()
    counts = counts_now()
    counts["logins"] = world.logins
    counts["seconds"] = round(time.monotonic() - started, 1)
    return counts


@demo_step(
    "cases",
    after=("orgs",),
    headline="{days} days of inspections and cases built in {seconds} s: {summary}.",
)
def build_cases_step(run: DemoRun) -> dict[str, Any]:
    """The step of `juli demo` after the organisations (see `juli.core.demo`)."""
    return build_cases_demo(run.days, stdout=run.stdout)


def is_empty() -> bool:
    """True when no point and no point category exists: the cases demo may be built."""
    from juli.cases.models import Point, PointCategory

    return not (Point.objects.exists() or PointCategory.objects.exists())


def counts_now() -> dict[str, Any]:
    from juli.cases.models import (
        Case,
        CaseEvent,
        CasePhoto,
        Inspection,
        InspectionAssignment,
        Point,
    )
    from juli.notify.models import Notification

    by_status = dict(Case.objects.values_list("status").annotate(n=Count("pk")))
    counts: dict[str, Any] = {
        "points": Point.objects.count(),
        "assignments": InspectionAssignment.objects.count(),
        "inspections": Inspection.objects.count(),
        "cases": Case.objects.count(),
    }
    for status in Case.Status.values:
        counts[f"cases_{status}"] = by_status.get(status, 0)
    counts.update(
        overdue=Case.objects.filter(
            status=Case.Status.DISPATCHED, deadline__lt=timezone.now()
        ).count(),
        escalated=Case.objects.filter(escalated_at__isnull=False).count(),
        case_events=CaseEvent.objects.count(),
        photos=CasePhoto.objects.count(),
        notifications=Notification.objects.count(),
    )
    return counts
