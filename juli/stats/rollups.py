"""Keeping the rollups (`CaseDaily`, `CaseOpen`) current.

Incremental: `apply_event` observes "cases.CaseEvent" (`juli.core.workflow.observe`, in
`apps.py`). Every step of the loop appends its event with `juli.core.workflow.append_event`
inside the step's transaction, which calls the observers right there, so the buckets move in
that same transaction: the figures change exactly when the step commits. Rows written
around `append_event` (bulk loads, raw SQL) are caught up by the repair below.
A bump is one conditional UPDATE … SET n = n + 1 (F()), or an INSERT when the bucket is new;
two writers racing to create one bucket meet on its unique constraint and the loser updates.

Repair: `refresh(day_from, day_to, area=None)` recomputes the days' buckets from the event
log, `refresh_open(area=None)` the open stock from the cases; both are idempotent and lock
their table while they rebuild so that no concurrent bump is lost (see `_lock`).

What an event counts, in the bucket of its local day (settings.TIME_ZONE):
report → reported (+ the case's deduction points), reject → rejected, dispatch →
dispatched, rectify → rectified and rectified_on_time or rectified_late (against the
deadline of the dispatch in force), verify → verified, send_back → sent_back, close →
closed, reopen → reopened, defer → deferred, escalate → escalated. The unit of a bucket is
the unit of the last dispatch (or resume) at the time of the event; before the first
dispatch there is none.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from itertools import groupby, islice
from operator import itemgetter
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Model, Q, Sum
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from juli.cases.models import OPEN_STATUSES, Case, CaseEvent
from juli.orgs.models import Area

from .models import COARSE_DEPTH, COUNTERS, CaseDaily, CaseOpen, CoarseDaily

#: action → the counter it bumps (rectify also bumps on-time or late).
ACTION_COUNTERS = {
    "report": "reported",
    "reject": "rejected",
    "dispatch": "dispatched",
    "rectify": "rectified",
    "verify": "verified",
    "send_back": "sent_back",
    "close": "closed",
    "reopen": "reopened",
    "defer": "deferred",
    "escalate": "escalated",
}
#: Actions after which the case's unit and deadline are those of this event.
CLOCK_ACTIONS = frozenset({"dispatch", "resume"})
BATCH = 1000


def _deltas(
    action: str,
    at: datetime.datetime,
    deadline: datetime.datetime | None,
    deduction: Decimal,
) -> dict[str, Any]:
    counter = ACTION_COUNTERS.get(action)
    if counter is None:
        return {}
    out: dict[str, Any] = {counter: 1}
    if action == "rectify":
        out["rectified_on_time" if deadline is None or at <= deadline else "rectified_late"] = 1
    elif action == "report" and deduction:
        out["deduction_sum"] = deduction
    return out


def _open_delta(from_status: str, to_status: str) -> int:
    return int(to_status in OPEN_STATUSES) - int(from_status in OPEN_STATUSES)


def _bump(
    model: type[Model], key: dict[str, Any], extra: dict[str, Any], deltas: dict[str, Any]
) -> None:
    """Add `deltas` to the bucket `key`, creating it (with `extra`) when it does not exist."""
    updates = {name: F(name) + value for name, value in deltas.items()}
    manager = model._default_manager
    if manager.filter(**key).update(**updates):
        return
    try:
        with transaction.atomic():
            manager.create(**key, **extra, **deltas)
    except IntegrityError:
        # Another transaction created the bucket between our UPDATE and INSERT.
        manager.filter(**key).update(**updates)


def apply_event(event: CaseEvent) -> None:
    """Count one new event in its buckets. The observer of "cases.CaseEvent": called by
    `append_event` inside the event's transaction."""
    case: Case = event.case
    deltas = _deltas(event.action, event.at, case.deadline, case.deduction)
    if deltas:
        unit_id = case.unit_id if case.dispatched_at is not None else None
        _bump(
            CaseDaily,
            {
                "day": timezone.localdate(event.at),
                "area_id": case.area_id,
                "unit_id": unit_id,
                "category_id": case.category_id,
            },
            {"area_path": case.area_path},
            deltas,
        )
        _bump(
            CoarseDaily,
            {
                "day": timezone.localdate(event.at),
                "area_path": coarse_path(case.area_path),
                "category_id": case.category_id,
            },
            {},
            deltas,
        )
    delta = _open_delta(event.from_status, event.to_status)
    if delta:
        _bump(
            CaseOpen,
            {"area_id": case.area_id, "category_id": case.category_id},
            {"area_path": case.area_path},
            {"open": delta},
        )


def coarse_path(path: str) -> str:
    """The community (or shallower area) a case's area path rolls up to in `CoarseDaily`."""
    return path[: COARSE_DEPTH * Area.steplen]


# --- Repair ----------------------------------------------------------------------------------


def _lock(model: type[Model]) -> None:
    """Hold off concurrent bumps of `model` until this transaction ends (PostgreSQL).

    A step whose event is not yet visible to the rebuild waits on this lock and bumps the
    rebuilt row afterwards; a step that already bumped has committed before the lock is
    granted, so the rebuild reads its event. SQLite runs one writer at a time anyway.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f'LOCK TABLE "{model._meta.db_table}" IN SHARE ROW EXCLUSIVE MODE')


def _midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def _as_datetime(value: Any) -> datetime.datetime | None:
    if isinstance(value, datetime.datetime):
        return value
    if isinstance(value, str):
        return parse_datetime(value)
    return None


def compute_daily(
    day_from: datetime.date, day_to: datetime.date, area: Area | None = None
) -> dict[tuple[Any, ...], dict[str, Any]]:
    """The buckets of the days `day_from`..`day_to` (inclusive) as the event log has them:
    {(day, area_id, unit_id, category_id): {"area_path": …, counter: value …}}.

    One pass over the events of the cases concerned, in (case, time) order, carrying each
    case's dispatch in force (which may lie before the period): memory stays bounded by
    the buckets and one case's events, whatever the number of cases.
    """
    start, end = _midnight(day_from), _midnight(day_to + datetime.timedelta(days=1))
    in_period = Q(at__gte=start, at__lt=end, action__in=list(ACTION_COUNTERS))
    concerned = CaseEvent.objects.filter(in_period)
    if area is not None:
        concerned = concerned.filter(case__area_path__startswith=area.path)
    stream = (
        CaseEvent.objects.filter(case_id__in=concerned.values("case_id"))
        .filter(in_period | Q(action__in=list(CLOCK_ACTIONS)))
        .order_by("case_id", "at", "id")
        .values_list(
            "case_id",
            "at",
            "action",
            "data",
            "case__area_id",
            "case__area_path",
            "case__unit_id",
            "case__category_id",
            "case__deadline",
            "case__deduction",
        )
        .iterator(chunk_size=BATCH)
    )
    buckets: dict[tuple[Any, ...], dict[str, Any]] = {}
    for _case_id, group in groupby(stream, key=itemgetter(0)):
        rows = list(group)
        _, _, _, _, area_id, path, case_unit, category_id, case_deadline, deduction = rows[0]
        last_clock = max((i for i, r in enumerate(rows) if r[2] in CLOCK_ACTIONS), default=-1)
        unit_id, deadline = None, case_deadline
        for i, (_, at, action, data, *_rest) in enumerate(rows):
            if action in CLOCK_ACTIONS:
                if i == last_clock:
                    # The case row holds the exact unit and deadline of its last dispatch
                    # (the event data keeps the deadline to the millisecond only).
                    unit_id, deadline = case_unit, case_deadline
                else:
                    data = data or {}
                    unit_id = data.get("unit", case_unit)
                    deadline = _as_datetime(data.get("deadline")) or case_deadline
            if not (start <= at < end) or action not in ACTION_COUNTERS:
                continue
            key = (timezone.localdate(at), area_id, unit_id, category_id)
            bucket = buckets.setdefault(key, {"area_path": path})
            for name, value in _deltas(action, at, deadline, deduction).items():
                bucket[name] = bucket.get(name, 0) + value
    return buckets


def refresh(day_from: datetime.date, day_to: datetime.date, area: Area | None = None) -> int:
    """Rebuild the daily buckets of `day_from`..`day_to` (inclusive; of `area`'s subtree when
    given) from the event log. Idempotent: a rerun writes the same rows. Returns the number
    of buckets written."""
    with transaction.atomic():
        _lock(CaseDaily)
        buckets = compute_daily(day_from, day_to, area)
        old = CaseDaily.objects.filter(day__gte=day_from, day__lte=day_to)
        if area is not None:
            old = old.filter(area_path__startswith=area.path)
        old.delete()
        rows = (
            CaseDaily(day=day, area_id=area_id, unit_id=unit_id, category_id=category_id, **values)
            for (day, area_id, unit_id, category_id), values in buckets.items()
        )
        while batch := list(islice(rows, BATCH)):
            CaseDaily.objects.bulk_create(batch)
        _lock(CoarseDaily)
        coarse: dict[tuple[Any, ...], dict[str, Any]] = {}
        for (day, _area_id, _unit_id, category_id), values in buckets.items():
            path = coarse_path(values["area_path"])
            into = coarse.setdefault((day, path, category_id), {})
            for name, value in values.items():
                if name != "area_path":
                    into[name] = into.get(name, 0) + value
        old_coarse = CoarseDaily.objects.filter(day__gte=day_from, day__lte=day_to)
        if area is not None:
            # A subtree below the coarse level shares its rows with its siblings: rebuild
            # the rows of the coarse areas it lies in, from their whole subtrees.
            if len(area.path) > COARSE_DEPTH * Area.steplen:
                _refresh_coarse_from_fine(day_from, day_to, area)
                return len(buckets)
            old_coarse = old_coarse.filter(area_path__startswith=area.path)
        old_coarse.delete()
        coarse_rows = (
            CoarseDaily(day=day, area_path=path, category_id=category_id, **values)
            for (day, path, category_id), values in coarse.items()
        )
        while batch_c := list(islice(coarse_rows, BATCH)):
            CoarseDaily.objects.bulk_create(batch_c)
    return len(buckets)


def _refresh_coarse_from_fine(day_from: datetime.date, day_to: datetime.date, area: Area) -> None:
    """Rebuild the coarse rows of the community holding `area` from the (fresh) fine rows."""
    path = coarse_path(area.path)
    sums = {name: Sum(name) for name in (*COUNTERS, "deduction_sum")}
    rows: Any = (
        CaseDaily.objects.filter(area_path__startswith=path, day__gte=day_from, day__lte=day_to)
        .annotate(coarse=Substr("area_path", 1, len(path)))
        .order_by()
        .values("day", "coarse", "category_id")
        .annotate(**sums)
    )
    CoarseDaily.objects.filter(area_path=path, day__gte=day_from, day__lte=day_to).delete()
    made = [
        CoarseDaily(
            day=r["day"],
            area_path=r["coarse"],
            category_id=r["category_id"],
            **{n: r[n] or 0 for n in (*COUNTERS, "deduction_sum")},
        )
        for r in rows
    ]
    CoarseDaily.objects.bulk_create(made, batch_size=BATCH)


def refresh_open(area: Area | None = None) -> int:
    """Rebuild the open stock (of `area`'s subtree when given) from the cases' statuses."""
    with transaction.atomic():
        _lock(CaseOpen)
        cases = Case.objects.filter(status__in=list(OPEN_STATUSES))
        old = CaseOpen.objects.all()
        if area is not None:
            cases = cases.filter(area_path__startswith=area.path)
            old = old.filter(area_path__startswith=area.path)
        counts = list(
            cases.order_by()
            .values("area_id", "area_path", "category_id")
            .annotate(n=Count("id"))
            .values_list("area_id", "area_path", "category_id", "n")
        )
        old.delete()
        CaseOpen.objects.bulk_create(
            (CaseOpen(area_id=a, area_path=p, category_id=c, open=n) for a, p, c, n in counts),
            batch_size=BATCH,
        )
    return len(counts)


def rows_of(qs: Iterable[CaseDaily]) -> list[tuple[Any, ...]]:
    """Comparable content of daily rows (tests and checks: incremental == rebuilt)."""
    return sorted(
        (
            r.day,
            r.area_id,
            r.area_path,
            r.unit_id or 0,  # comparable: no unit sorts first
            r.category_id,
            *(getattr(r, n) for n in COUNTERS),
            r.deduction_sum,
        )
        for r in qs
    )
