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
Which inspections count
    inspected     an inspection (日督查) of a point in the district `started_at` in the week;
                  it belongs to the street and community of its `area_path` and to the
                  point's responsible unit. A point is CHECKED in the week when it was
                  inspected or a (not rejected) case was reported at it in the week.

Metrics per subject
    cases             number of reported cases.
    inspections       number of inspections.
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
                      unit it is) CHECKED in the week / of which with no deduction > 0
                      reported in the week. A point nobody looked at is not "kept clean": it
                      is not counted at all. The points are taken as they are when the
                      ranking is computed (it is computed and frozen right after its week).

Nothing to measure (no data)
    Each component has a basis, its "denominator"; a component whose basis is empty for a
    subject has NO DATA for it (shown "—") and is left out of the subject's score:
        deductions, repeats   inspections + cases reported (nothing was looked at: no data;
                              looked at and nothing found: a real 100)
        on_time               due cases
        verification          verification decisions
        zero-deduction        zero-deduction points checked
    A subject is RANKED when at least one component with a weight above 0 has data. Any other
    subject is "not ranked: no data this week" (不参与排名：本周无数据): stored with no rank,
    no total, no band and no component score, listed below the ranked subjects by name; it
    never counts as 100 points.

Component scores (0–100, rounded half-up to 0.01), ranked subjects only
    deductions    100 × (1 − d / d_max), d_max the largest deduction_total among the level's
                  subjects with data for it; all 100 when d_max = 0. Likewise repeats.
    on_time, verification, zero-deduction
                  the rate as a percentage, 100 × numerator / denominator. When the
                  denominator is 0 the component is undefined (shown "—") and left out.

Total
    Σ wₖ·sₖ / Σ wₖ over the components k WITH DATA, rounded half-up to 0.01: the weights are
    renormalised over what the subject had (a street with nothing due is scored on its
    deductions, repeats, verification and zero-deduction points alone).

Rank, ties, bands, change (ranked subjects only)
    Standard competition ranking by total, high first: equal totals (to 0.01, as shown)
    share a rank and the next rank skips (1, 2, 2, 4); the rows of a shared rank are marked
    `tied` (并列第 2) and listed by name (Unicode code point), then subject id. No hidden
    tie-breaker: two subjects with the same score have the same rank.
    Bands ("抓两头带中间"): with n RANKED subjects in a level and k = min(3, n // 3), the top
    band is the subjects whose whole tie group lies within positions 1…k, the bottom band
    those whose whole tie group lies within positions n−k+1…n; the rest are "middle". A band
    never splits a tie: a tie group crossing the band's edge stays out of the band, so the
    band may hold fewer than k (ten streets at 100.00 are all middle; the one at 38.17 alone
    is bottom). `change` = last week's rank − this rank (positive = moved up), from the
    district's PUBLISHED ranking of the week before, and only when the subject was ranked
    there; otherwise none ("新进排名", new to the ranking). Unranked rows have no change.

Cost: three GROUP BY queries over the week's cases (range on `reported_at`, prefix on
`area_path`), one over the week's verification events of those cases, one over the week's
inspections (grouped by point), two small ones over points and the area and unit names;
Python only rolls up the grouped rows.
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

from juli.cases.models import Case, CaseCategory, CaseEvent, Inspection, Point
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
    inspections: int = 0
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
    inspected: list[Any] = list(
        Inspection.objects.filter(
            area_path__startswith=district.path, started_at__gte=start, started_at__lt=end
        )
        .values("point_id", "area_path", "point__responsible_unit_id")
        .annotate(n=Count("id"))
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
    unit_ids |= {
        r["point__responsible_unit_id"] for r in inspected if r["point__responsible_unit_id"]
    }
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
    checked: set[int] = set()
    for r in inspected:
        checked.add(r["point_id"])
        for t in targets(r["area_path"], r["point__responsible_unit_id"]):
            t.inspections += r["n"]
    for r in reported:
        ded = r["ded"] or Decimal("0")
        for t in targets(r["area_path"], r["unit_id"]):
            t.cases += r["n"]
            t.deduction_total += ded
            if r["point_id"]:
                t.by_point[(r["point_id"], r["category_id"])] += r["n"]
        if r["point_id"]:
            dirty[r["point_id"]] += ded
            checked.add(r["point_id"])
    for r in due:
        for t in targets(r["area_path"], r["unit_id"]):
            t.due_count += r["due"]
            t.on_time_count += r["on_time"]
    for r in verified:
        for t in targets(r["case__area_path"], r["case__unit_id"]):
            t.verify_total += r["total"]
            t.verify_passed += r["passed"]
    for _pk, path, unit_id in zero:
        if _pk not in checked:
            continue  # nobody looked at it this week: neither clean nor dirty
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


def has_data(t: Tally) -> dict[str, bool]:
    """Whether each component has a non-empty basis for the tally (see "Nothing to measure")."""
    looked_at = t.inspections + t.cases > 0
    return {
        "deductions": looked_at,
        "on_time": t.due_count > 0,
        "verification": t.verify_total > 0,
        "repeats": looked_at,
        "zero": t.zero_points > 0,
    }


def _bands(ranked: list[dict[str, Any]]) -> None:
    """Top/bottom/middle of ranked rows in rank order; a band never splits a tie."""
    n = len(ranked)
    k = min(BAND_SIZE, n // 3)
    group: dict[int, int] = defaultdict(int)
    for row in ranked:
        group[row["rank"]] += 1
    for row in ranked:
        first = row["rank"]
        last = first + group[first] - 1
        if last <= k:
            row["band"] = RankingRow.Band.TOP
        elif first > n - k:
            row["band"] = RankingRow.Band.BOTTOM
        else:
            row["band"] = RankingRow.Band.MIDDLE


def score_level(
    subjects: list[Subject], weights: dict[str, Decimal], previous: dict[int, int]
) -> list[dict[str, Any]]:
    """The rows of one level: the ranked ones by rank, then the unranked ones by name.

    Field values for `RankingRow` (without `ranking`); `previous` is subject id → last
    week's rank, for subjects ranked then."""
    data = {id(s): has_data(s.tally) for s in subjects}
    ranked_ids = {
        id(s) for s in subjects if any(data[id(s)][k] and weights[k] > 0 for k in COMPONENT_KEYS)
    }
    measured = [s for s in subjects if id(s) in ranked_ids]
    worst_deduction = max(
        (s.tally.deduction_total for s in measured if data[id(s)]["deductions"]),
        default=Decimal("0"),
    )
    worst_repeats = Decimal(
        max((s.tally.repeat_count for s in measured if data[id(s)]["repeats"]), default=0)
    )
    ranked: list[dict[str, Any]] = []
    unranked: list[dict[str, Any]] = []
    for s in subjects:
        t = s.tally
        row: dict[str, Any] = {
            "level": s.level,
            "subject_id": s.subject_id,
            "subject_path": s.path,
            "name": s.name,
            "cases": t.cases,
            "inspections": t.inspections,
            "deduction_total": q2(t.deduction_total),
            "due_count": t.due_count,
            "on_time_count": t.on_time_count,
            "verify_total": t.verify_total,
            "verify_passed": t.verify_passed,
            "repeat_count": t.repeat_count,
            "repeat_points": t.repeat_points,
            "zero_points": t.zero_points,
            "zero_clean": t.zero_clean,
            "tied": False,
            "previous_rank": None,
            "change": None,
        }
        if id(s) not in ranked_ids:
            row |= {f"score_{k}": None for k in COMPONENT_KEYS}
            row |= {"ranked": False, "total": None, "rank": None, "band": ""}
            unranked.append(row)
            continue
        has = data[id(s)]
        scores = {
            "deductions": _lower_is_better(t.deduction_total, worst_deduction),
            "on_time": percent(t.on_time_count, t.due_count),
            "verification": percent(t.verify_passed, t.verify_total),
            "repeats": _lower_is_better(Decimal(t.repeat_count), worst_repeats),
            "zero": percent(t.zero_clean, t.zero_points),
        }
        scores = {k: v if has[k] else None for k, v in scores.items()}
        weight_sum = weighted = Decimal(0)
        for k in COMPONENT_KEYS:
            score = scores[k]
            if score is not None:
                weight_sum += weights[k]
                weighted += weights[k] * score
        # weight_sum > 0: a ranked subject has data for a component weighted above 0.
        row |= {f"score_{k}": scores[k] for k in COMPONENT_KEYS}
        row |= {"ranked": True, "total": q2(weighted / weight_sum)}
        ranked.append(row)
    ranked.sort(key=lambda r: (-r["total"], r["name"], r["subject_id"]))
    unranked.sort(key=lambda r: (r["name"], r["subject_id"]))
    count: dict[Decimal, int] = defaultdict(int)
    for row in ranked:
        count[row["total"]] += 1
    rank = 0
    for position, row in enumerate(ranked, start=1):
        if position == 1 or row["total"] != ranked[position - 2]["total"]:
            rank = position
        row["rank"] = rank
        row["tied"] = count[row["total"]] > 1
        before = previous.get(row["subject_id"])
        row["previous_rank"] = before
        row["change"] = None if before is None else before - rank
    _bands(ranked)
    return ranked + unranked


def previous_ranks(district: Area, week_start: datetime.date) -> dict[str, dict[int, int]]:
    """(level → subject id → rank) of the subjects RANKED in the district's published
    ranking of the week before."""
    out: dict[str, dict[int, int]] = {level: {} for level in RankingRow.Level.values}
    rows = RankingRow.objects.filter(
        ranking__district=district,
        ranking__week_start=week_start - datetime.timedelta(days=7),
        ranking__status=Ranking.Status.PUBLISHED,
        ranked=True,
        rank__isnull=False,
    ).values_list("level", "subject_id", "rank")
    for level, subject_id, rank in rows:
        if rank is not None:  # filtered above; for the type checker
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
