"""How a weekly ranking is computed: what counts, every metric, and the score formula.

The ranking ranks OUTCOMES only — what happened to the problems — never activity (no
check-ins, time online or numbers of uploads).

Week
    An ISO week "YYYY-Www": Monday 00:00 to the next Monday 00:00 in `settings.TIME_ZONE`
    (Asia/Shanghai), the start included, the end excluded.

Levels and subjects
    Three tables per district: its active streets, its active communities, and the
    responsible units — every unit that is the responsible unit of an active point in the
    district, or the unit of a case counted in any metric below. A case belongs to the street
    and community whose path its `area_path` starts with, and to its `unit` (the unit it was
    dispatched to; an undispatched case has none).

Which cases count (all within the district's subtree; rejected reports never count)
    reported      `reported_at` in the week.
    due           `deadline` in the week, among cases reported in the `LOOKBACK_DAYS` (56)
                  days before the week's start or during the week. The bound keeps the scan
                  on the `reported_at` index; a case older than that is the business of the
                  deferral ledger, not of this week's ranking.
    verification  a "verify" or "send_back" event in the week, on a case reported within
                  the same window.

Metrics per subject
    cases             number of reported cases.
    deduction_total   sum of `deduction` over reported cases.                 lower is better
    on_time           due cases with `rectified_at` ≤ `deadline` / due cases. A case sent back
                      loses its rectification time (the send-back clears it), so only a
                      rectification that held counts; a currently deferred case counts as not
                      rectified on time.
    verification      "verify" events / ("verify" + "send_back" events): each decision
                      counts, so a case sent back twice and then passed is 1 of 3.
    repeats           for each (point, category) with n ≥ 2 reported cases in the week, n − 1;
                      summed (units: per (unit, point, category)).                lower is better
    zero-deduction    active zero-deduction points of the subject (units: whose responsible
                      unit it is) / of which with no deduction > 0 reported in the week. The
                      points are taken as they are when the ranking is computed (it is computed
                      and frozen right after its week).

Component scores (0–100, rounded half-up to 0.01)
    deductions    100 × (1 − d / d_max), d_max the largest deduction_total in the level;
                  all 100 when d_max = 0. Likewise repeats with r_max.
    on_time, verification, zero-deduction
                  the rate as a percentage, 100 × numerator / denominator. When the
                  denominator is 0 the component is undefined (shown "—") and left out.

Total
    Σ wₖ·sₖ / Σ wₖ over the DEFINED components k, rounded half-up to 0.01: a subject with
    nothing due is scored on what it had. Deductions and repeats are always defined; when the
    weights of all defined components are 0 the total is 0.

Rank, ties, bands, change
    Order by total (high first), then deduction_total (low first), then repeats (low first),
    then name (by Unicode code point), then subject id: every rank is unique and the order is the same on every run.
    Bands ("抓两头带中间"): with n subjects in a level and k = min(3, n // 3), ranks 1…k are
    "top" (green), ranks n−k+1…n "bottom" (red), the rest "middle" — except that a tie never
    splits a band: a top-k subject whose total equals the total of rank k+1, or a bottom-k
    subject whose total equals the total of rank n−k, is "middle" (ten streets at 100.00 are
    all middle; the one at 38.17 alone is bottom). `change` = last week's
    rank − this rank (positive = moved up), from the district's PUBLISHED ranking of the week
    before; none when the subject was not ranked then.

Cost: three GROUP BY queries over the week's cases (range on `reported_at`, prefix on
`area_path`), one over the week's verification events of those cases, two small ones over
points and the area and unit names; Python only rolls up the grouped rows.
"""

from __future__ import annotations

import datetime
import re
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Q, Sum

from juli.cases.models import Case, CaseCategory, CaseEvent, Point
from juli.orgs.models import Area, Unit

from .models import COMPONENT_KEYS, Ranking, RankingRow

LOOKBACK_DAYS = 56
BAND_SIZE = 3
HUNDRED = Decimal("100")
CENT = Decimal("0.01")
WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")


class WeekError(ValueError):
    """A week label that is not "YYYY-Www" or names no ISO week."""


def q2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def percent(numerator: int, denominator: int) -> Decimal | None:
    """100 × numerator / denominator to 0.01, or None when the denominator is 0."""
    if not denominator:
        return None
    return q2(HUNDRED * numerator / denominator)


# --- Weeks -----------------------------------------------------------------------------------


def parse_week(label: str) -> datetime.date:
    """The Monday of ISO week `label` ("2026-W47"); WeekError when it is none."""
    m = WEEK_RE.match(label or "")
    if not m:
        raise WeekError(label)
    try:
        return datetime.date.fromisocalendar(int(m[1]), int(m[2]), 1)
    except ValueError:
        raise WeekError(label) from None


def week_label(day: datetime.date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_bounds(week_start: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """Monday 00:00 and the next Monday 00:00, local time (settings.TIME_ZONE)."""
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    start = datetime.datetime.combine(week_start, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(
        week_start + datetime.timedelta(days=7), datetime.time.min, tzinfo=tz
    )
    return start, end


def last_complete_week(today: datetime.date) -> datetime.date:
    """The Monday of the last week that has ended by `today` (local date)."""
    return today - datetime.timedelta(days=today.weekday() + 7)


# --- Tallies ---------------------------------------------------------------------------------


@dataclass
class Tally:
    cases: int = 0
    deduction_total: Decimal = Decimal("0")
    due_count: int = 0
    on_time_count: int = 0
    verify_total: int = 0
    verify_passed: int = 0
    repeat_count: int = 0
    repeat_points: list[dict[str, Any]] = field(default_factory=list)
    zero_points: int = 0
    zero_clean: int = 0
    # (point, category) → cases reported in the week
    by_point: dict[tuple[int, int], int] = field(default_factory=lambda: defaultdict(int))


@dataclass
class Subject:
    level: str
    subject_id: int
    name: str
    path: str = ""
    tally: Tally = field(default_factory=Tally)


def _keys(path: str, base_len: int) -> tuple[str | None, str | None]:
    """The street and community paths a case or point path lies in."""
    street = path[: base_len + 4] if len(path) >= base_len + 4 else None
    community = path[: base_len + 8] if len(path) >= base_len + 8 else None
    return street, community


def _subjects(district: Area, unit_ids: set[int]) -> dict[str, dict[Any, Subject]]:
    areas = Area.objects.filter(
        path__startswith=district.path,
        depth__in=[district.depth + 1, district.depth + 2],
        kind__in=[Area.Kind.STREET, Area.Kind.COMMUNITY],
        is_active=True,
    ).values_list("id", "path", "name", "kind")
    out: dict[str, dict[Any, Subject]] = {level: {} for level in RankingRow.Level.values}
    for pk, path, name, kind in areas:
        level = RankingRow.Level.STREET if kind == Area.Kind.STREET else RankingRow.Level.COMMUNITY
        out[level][path] = Subject(level, pk, name, path)
    for pk, name in Unit.objects.filter(id__in=unit_ids).values_list("id", "name"):
        out[RankingRow.Level.UNIT][pk] = Subject(RankingRow.Level.UNIT, pk, name)
    return out


def gather(district: Area, week_start: datetime.date) -> dict[str, list[Subject]]:
    """The subjects of each level with their metric tallies for the week (no scores yet)."""
    start, end = week_bounds(week_start)
    window_start = start - datetime.timedelta(days=LOOKBACK_DAYS)
    base = Case.objects.filter(area_path__startswith=district.path).exclude(
        status=Case.Status.REJECTED
    )
    reported: list[Any] = list(
        base.filter(reported_at__gte=start, reported_at__lt=end)
        .values("area_path", "unit_id", "point_id", "category_id")
        .annotate(n=Count("id"), ded=Sum("deduction"))
        .order_by()
    )
    due: list[Any] = list(
        base.filter(reported_at__gte=window_start, reported_at__lt=end)
        .filter(deadline__gte=start, deadline__lt=end)
        .values("area_path", "unit_id")
        .annotate(
            due=Count("id"),
            on_time=Count(
                "id", filter=Q(rectified_at__isnull=False, rectified_at__lte=F("deadline"))
            ),
        )
        .order_by()
    )
    verified: list[Any] = list(
        CaseEvent.objects.filter(
            at__gte=start,
            at__lt=end,
            action__in=["verify", "send_back"],
            case__area_path__startswith=district.path,
            case__reported_at__gte=window_start,
            case__reported_at__lt=end,
        )
        .values("case__area_path", "case__unit_id")
        .annotate(total=Count("id"), passed=Count("id", filter=Q(action="verify")))
        .order_by()
    )
    # The points as they are now: a ranking is computed (and frozen) right after its week.
    points = Point.objects.filter(area_path__startswith=district.path, is_active=True)
    zero = list(
        points.filter(zero_deduction=True).values_list("id", "area_path", "responsible_unit_id")
    )
    unit_ids = set(
        points.exclude(responsible_unit=None)
        .values_list("responsible_unit_id", flat=True)
        .distinct()
    )
    unit_ids |= {r["unit_id"] for r in reported if r["unit_id"]}
    unit_ids |= {r["unit_id"] for r in due if r["unit_id"]}
    unit_ids |= {r["case__unit_id"] for r in verified if r["case__unit_id"]}
    subjects = _subjects(district, unit_ids)
    streets, communities, units = (
        subjects[RankingRow.Level.STREET],
        subjects[RankingRow.Level.COMMUNITY],
        subjects[RankingRow.Level.UNIT],
    )
    base_len = len(district.path)

    def targets(path: str, unit_id: int | None) -> list[Tally]:
        street, community = _keys(path, base_len)
        found = [streets.get(street), communities.get(community), units.get(unit_id)]
        return [s.tally for s in found if s is not None]

    dirty: dict[int, Decimal] = defaultdict(Decimal)
    for r in reported:
        ded = r["ded"] or Decimal("0")
        for t in targets(r["area_path"], r["unit_id"]):
            t.cases += r["n"]
            t.deduction_total += ded
            if r["point_id"]:
                t.by_point[(r["point_id"], r["category_id"])] += r["n"]
        if r["point_id"]:
            dirty[r["point_id"]] += ded
    for r in due:
        for t in targets(r["area_path"], r["unit_id"]):
            t.due_count += r["due"]
            t.on_time_count += r["on_time"]
    for r in verified:
        for t in targets(r["case__area_path"], r["case__unit_id"]):
            t.verify_total += r["total"]
            t.verify_passed += r["passed"]
    for _pk, path, unit_id in zero:
        clean = not dirty.get(_pk)
        for t in targets(path, unit_id):
            t.zero_points += 1
            t.zero_clean += int(clean)
    _repeats(subjects)
    return {level: list(subjects[level].values()) for level in RankingRow.Level.values}


def _repeats(subjects: dict[str, dict[Any, Subject]]) -> None:
    repeated = {
        key
        for level in subjects.values()
        for s in level.values()
        for key, n in s.tally.by_point.items()
        if n >= 2
    }
    if not repeated:
        return
    names = dict(Point.objects.filter(id__in={p for p, _c in repeated}).values_list("id", "name"))
    categories = dict(CaseCategory.objects.values_list("id", "name"))
    for level in subjects.values():
        for s in level.values():
            found: list[dict[str, Any]] = [
                {
                    "point": p,
                    "name": names.get(p, ""),
                    "category": categories.get(c, ""),
                    "cases": n,
                }
                for (p, c), n in s.tally.by_point.items()
                if n >= 2
            ]
            found.sort(key=lambda d: (-d["cases"], d["name"], d["point"], d["category"]))
            s.tally.repeat_points = found
            s.tally.repeat_count = sum(d["cases"] - 1 for d in found)


# --- Scores ------------------------------------------------------------------------------------


def _lower_is_better(value: Decimal, worst: Decimal) -> Decimal:
    if worst <= 0:
        return HUNDRED
    return q2(HUNDRED * (1 - Decimal(value) / worst))


def score_level(
    subjects: list[Subject], weights: dict[str, Decimal], previous: dict[int, int]
) -> list[dict[str, Any]]:
    """The rows of one level, ranked: field values for `RankingRow` (without `ranking`)."""
    worst_deduction = max((s.tally.deduction_total for s in subjects), default=Decimal("0"))
    worst_repeats = Decimal(max((s.tally.repeat_count for s in subjects), default=0))
    rows: list[dict[str, Any]] = []
    for s in subjects:
        t = s.tally
        scores = {
            "deductions": _lower_is_better(t.deduction_total, worst_deduction),
            "on_time": percent(t.on_time_count, t.due_count),
            "verification": percent(t.verify_passed, t.verify_total),
            "repeats": _lower_is_better(Decimal(t.repeat_count), worst_repeats),
            "zero": percent(t.zero_clean, t.zero_points),
        }
        weight_sum = weighted = Decimal(0)
        for k in COMPONENT_KEYS:
            score = scores[k]
            if score is not None:
                weight_sum += weights[k]
                weighted += weights[k] * score
        total = q2(weighted / weight_sum) if weight_sum > 0 else Decimal("0.00")
        rows.append(
            {
                "level": s.level,
                "subject_id": s.subject_id,
                "subject_path": s.path,
                "name": s.name,
                "cases": t.cases,
                "deduction_total": q2(t.deduction_total),
                "due_count": t.due_count,
                "on_time_count": t.on_time_count,
                "verify_total": t.verify_total,
                "verify_passed": t.verify_passed,
                "repeat_count": t.repeat_count,
                "repeat_points": t.repeat_points,
                "zero_points": t.zero_points,
                "zero_clean": t.zero_clean,
                **{f"score_{k}": scores[k] for k in COMPONENT_KEYS},
                "total": total,
            }
        )
    rows.sort(
        key=lambda r: (
            -r["total"],
            r["deduction_total"],
            r["repeat_count"],
            r["name"],
            r["subject_id"],
        )
    )
    n = len(rows)
    band = min(BAND_SIZE, n // 3)
    totals = [row["total"] for row in rows]
    for index, row in enumerate(rows, start=1):
        row["rank"] = index
        if index <= band and row["total"] != totals[band]:
            row["band"] = RankingRow.Band.TOP
        elif index > n - band and row["total"] != totals[n - band - 1]:
            row["band"] = RankingRow.Band.BOTTOM
        else:
            row["band"] = RankingRow.Band.MIDDLE
        before = previous.get(row["subject_id"])
        row["previous_rank"] = before
        row["change"] = None if before is None else before - index
    return rows


def previous_ranks(district: Area, week_start: datetime.date) -> dict[str, dict[int, int]]:
    """(level → subject id → rank) of the district's published ranking of the week before."""
    out: dict[str, dict[int, int]] = {level: {} for level in RankingRow.Level.values}
    rows = RankingRow.objects.filter(
        ranking__district=district,
        ranking__week_start=week_start - datetime.timedelta(days=7),
        ranking__status=Ranking.Status.PUBLISHED,
    ).values_list("level", "subject_id", "rank")
    for level, subject_id, rank in rows:
        out[level][subject_id] = rank
    return out


def calculate(
    district: Area, week_start: datetime.date, weights: dict[str, Decimal]
) -> list[dict[str, Any]]:
    """Every row of the district's ranking of the week, all levels, ranked. Reads only."""
    gathered = gather(district, week_start)
    previous = previous_ranks(district, week_start)
    rows: list[dict[str, Any]] = []
    for level in RankingRow.Level.values:
        rows += score_level(gathered[level], weights, previous[level])
    return rows
