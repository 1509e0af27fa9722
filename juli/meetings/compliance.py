"""Frequency compliance of organisational life, computed from meeting records, never declared.

**Rules.** A rule says how often a kind of meeting is required of a kind of organisation in
a year: `times` per `period` (month, quarter, half, year). For an organisation, each
(organisation kind, meeting kind) is resolved in this order: the `ComplianceRule` row of the
year of its nearest ancestor (or itself) that has one, then the district row (org null),
then the built-in `DEFAULT_RULES`. A row with `is_active=False` switches the kind off for
its subtree. So a district that never touched the rules page runs on the defaults, and
"copy the defaults to rows" changes nothing until a row is edited.

**Groups.** 党小组会 is required of each party group (`group` organisations), monthly. A
branch without groups owes no 党小组会 (its members meet as the branch). In the subtree
table a group is folded into its branch's row: the branch's 党小组会 cell adds up its groups
(a branch with groups is done only when every group is).

**What counts.** Only meetings whose minutes were confirmed (`confirmed_at` set: status
`confirmed`, or back in `held` while a confirmed record is being revised, which was held all
the same) of the organisation itself, of that kind, starting (local time) inside the period. Held minutes in
draft, planned and cancelled meetings do not count. Meetings beyond `times` in one period do
not make up for another period.

**States** of one period of one rule for one organisation, given `today`:

- `not_required`: the period started before the organisation existed (`PartyOrg.founded_on`,
  else the date of its `org.create` audit row; a branch founded on 10 May owes nothing for
  May and for the second quarter, and owes June and the third quarter), or ends after the
  organisation was retired or merged;
- `future`: the period has not started;
- `done`: held at least `times`;
- `due`: the period is current (today is on or before its last day), not yet enough;
- `overdue`: the period is over, not enough.

**Cost.** One table of any size costs a fixed number of queries: the organisations of the
subtree, the year's rules, the held counts grouped by (organisation, kind, month), the
attendance grouped by organisation, and (only when some organisation has no `founded_on`)
the creation dates from the audit log. Pinned in `tests/test_compliance.py`.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Min, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from juli.core.models import AuditLog
from juli.orgs.models import PartyOrg

from .models import Attendee, ComplianceRule, Meeting, MeetingKind

Period = ComplianceRule.Period

#: How many months each period spans.
PERIOD_MONTHS: dict[str, int] = {
    Period.MONTH: 1,
    Period.QUARTER: 3,
    Period.HALF: 6,
    Period.YEAR: 12,
}

#: The built-in defaults: (organisation kind, meeting kind, period, times).
DEFAULT_RULES: tuple[tuple[str, str, str, int], ...] = (
    (PartyOrg.Kind.BRANCH, MeetingKind.BRANCH_ASSEMBLY, Period.QUARTER, 1),
    (PartyOrg.Kind.BRANCH, MeetingKind.BRANCH_COMMITTEE, Period.MONTH, 1),
    (PartyOrg.Kind.BRANCH, MeetingKind.PARTY_LECTURE, Period.QUARTER, 1),
    (PartyOrg.Kind.BRANCH, MeetingKind.THEME_DAY, Period.MONTH, 1),
    (PartyOrg.Kind.GROUP, MeetingKind.GROUP_MEETING, Period.MONTH, 1),
    # A general branch (党总支): its committee monthly and a lecture a quarter; its branches
    # keep their own rules.
    (PartyOrg.Kind.GENERAL_BRANCH, MeetingKind.BRANCH_COMMITTEE, Period.MONTH, 1),
    (PartyOrg.Kind.GENERAL_BRANCH, MeetingKind.PARTY_LECTURE, Period.QUARTER, 1),
)

#: The order of the table's columns.
KIND_ORDER = [k.value for k in MeetingKind]


def counted(prefix: str = "") -> Q:
    """Meetings that count: minutes confirmed, or a confirmed record back in draft while it
    is revised (the meeting was held all the same)."""
    confirmed = Q(**{f"{prefix}status": Meeting.Status.CONFIRMED})
    revised = Q(**{f"{prefix}status": Meeting.Status.HELD, f"{prefix}confirmed_at__isnull": False})
    return confirmed | revised


class State:
    DONE = "done"
    DUE = "due"
    OVERDUE = "overdue"
    FUTURE = "future"
    NOT_REQUIRED = "not_required"


STATE_LABELS = {
    State.DONE: _("Done"),
    State.DUE: _("Due"),
    State.OVERDUE: _("Overdue"),
    State.FUTURE: _("Not yet due"),
    State.NOT_REQUIRED: _("Not required"),
}
#: Which state a cell of several periods (or organisations) shows: the worst one.
_PRECEDENCE = [State.OVERDUE, State.DUE, State.DONE, State.FUTURE, State.NOT_REQUIRED]


# --- Rules --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    org_kind: str
    meeting_kind: str
    period: str
    times: int
    is_active: bool = True
    #: "builtin", "district" (a row without organisation) or "org" (a row for a subtree).
    source: str = "builtin"
    pk: int | None = None
    org_id: int | None = None
    org_path: str = ""

    @property
    def period_label(self) -> Any:
        return Period(self.period).label

    @property
    def kind_label(self) -> Any:
        return MeetingKind(self.meeting_kind).label

    @property
    def org_kind_label(self) -> Any:
        return PartyOrg.Kind(self.org_kind).label


class RuleBook:
    """The rules of one year, read in one query and resolved per organisation."""

    def __init__(self, year: int, rows: Iterable[ComplianceRule] | None = None) -> None:
        self.year = year
        if rows is None:
            rows = ComplianceRule.objects.filter(year=year)
        self.district: dict[tuple[str, str], Rule] = {}
        #: (org_kind, meeting_kind) -> [(org_path, rule)], the longest path first.
        self.by_org: dict[tuple[str, str], list[tuple[str, Rule]]] = defaultdict(list)
        for row in rows:
            rule = Rule(
                row.org_kind,
                row.meeting_kind,
                row.period,
                row.times,
                row.is_active,
                "org" if row.org_id else "district",
                row.pk,
                row.org_id,
                row.org_path,
            )
            key = (row.org_kind, row.meeting_kind)
            if row.org_id:
                self.by_org[key].append((row.org_path, rule))
            else:
                self.district[key] = rule
        for entries in self.by_org.values():
            entries.sort(key=lambda e: -len(e[0]))
        self.builtin = {(ok, mk): Rule(ok, mk, p, t) for ok, mk, p, t in DEFAULT_RULES}

    def _keys_for(self, org_kind: str) -> list[str]:
        kinds = {mk for ok, mk in self.builtin if ok == org_kind}
        kinds |= {mk for ok, mk in self.district if ok == org_kind}
        kinds |= {mk for ok, mk in self.by_org if ok == org_kind}
        return sorted(kinds, key=KIND_ORDER.index)

    def rule(self, org_kind: str, meeting_kind: str, org_path: str = "") -> Rule | None:
        """The effective rule (active or not) for an organisation of that kind and path."""
        key = (org_kind, meeting_kind)
        for path, rule in self.by_org.get(key, ()):
            if org_path.startswith(path):
                return rule
        return self.district.get(key) or self.builtin.get(key)

    def rules_of(self, org_kind: str, org_path: str = "") -> list[Rule]:
        """The active rules of an organisation, in column order."""
        found = [self.rule(org_kind, mk, org_path) for mk in self._keys_for(org_kind)]
        return [r for r in found if r is not None and r.is_active and r.times > 0]

    def district_rules(self) -> list[Rule]:
        """The district's rules of the year (rows without organisation, else built-in), for
        every organisation kind, active or not."""
        keys = set(self.builtin) | set(self.district)
        rules = [self.district.get(k) or self.builtin[k] for k in keys]
        return sorted(rules, key=_rule_order)

    def org_rows(self) -> list[Rule]:
        return sorted((r for e in self.by_org.values() for _p, r in e), key=_rule_order)


def _rule_order(rule: Rule) -> tuple[int, int]:
    org_kinds = [k.value for k in PartyOrg.Kind]
    return (org_kinds.index(rule.org_kind), KIND_ORDER.index(rule.meeting_kind))


# --- Periods ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """One period of a year: [start, end)."""

    period: str
    index: int  # 1-based: month 1–12, quarter 1–4, half 1–2, year 1
    start: datetime.date
    end: datetime.date

    @property
    def last_day(self) -> datetime.date:
        return self.end - datetime.timedelta(days=1)

    @property
    def months(self) -> range:
        return range(self.start.month, self.start.month + PERIOD_MONTHS[self.period])

    @property
    def label(self) -> str:
        y = self.start.year
        if self.period == Period.MONTH:
            return f"{y}-{self.index:02d}"
        if self.period == Period.QUARTER:
            return f"{y}Q{self.index}"
        if self.period == Period.HALF:
            return f"{y}H{self.index}"
        return str(y)

    def contains(self, day: datetime.date) -> bool:
        return self.start <= day < self.end


def _month_start(year: int, month: int) -> datetime.date:
    return datetime.date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def spans(year: int, period: str) -> list[Span]:
    n = PERIOD_MONTHS[period]
    return [
        Span(period, i + 1, _month_start(year, 1 + i * n), _month_start(year, 1 + (i + 1) * n))
        for i in range(12 // n)
    ]


def span_of(day: datetime.date, period: str) -> Span:
    return next(s for s in spans(day.year, period) if s.contains(day))


def window(year: int, period: str, index: int | None) -> Span:
    """The table's window: a month, quarter, half or the year (index clamped into range)."""
    all_spans = spans(year, period)
    i = min(max(index or 1, 1), len(all_spans))
    return all_spans[i - 1]


def default_index(year: int, period: str, today: datetime.date) -> int:
    """The current period when `today` is in `year`, else the last one."""
    if today.year == year:
        return span_of(today, period).index
    return len(spans(year, period)) if today.year > year else 1


# --- Figures ------------------------------------------------------------------------------------


@dataclass
class Figure:
    """One period of one rule for one organisation."""

    span: Span
    required: int
    held: int
    state: str

    @property
    def counted(self) -> int:
        """Held, capped at what was required (a surplus makes up for no other period)."""
        return min(self.held, self.required)


@dataclass
class Cell:
    """One meeting kind of one row over the table's window: its own figures and those of
    the groups folded into it."""

    kind: str
    figures: list[Figure] = field(default_factory=list)
    #: how many organisations (the row's own and its groups) the cell adds up.
    members: int = 0
    members_done: int = 0
    rule: Rule | None = None

    @property
    def required(self) -> int:
        return sum(f.required for f in self.figures if f.state in _OWED)

    @property
    def held(self) -> int:
        return sum(f.counted for f in self.figures if f.state in _OWED)

    @property
    def held_total(self) -> int:
        return sum(f.held for f in self.figures)

    @property
    def state(self) -> str:
        return worst(f.state for f in self.figures)

    @property
    def state_label(self) -> Any:
        return STATE_LABELS[self.state]

    @property
    def deadline(self) -> datetime.date | None:
        open_ = [f.span.last_day for f in self.figures if f.state == State.DUE]
        return min(open_) if open_ else None

    def count(self, state: str) -> int:
        return sum(1 for f in self.figures if f.state == state)


_OWED = (State.DONE, State.DUE, State.OVERDUE)


def worst(states: Iterable[str]) -> str:
    found = set(states)
    return next((s for s in _PRECEDENCE if s in found), State.NOT_REQUIRED)


def state_of(
    span: Span,
    held: int,
    times: int,
    today: datetime.date,
    founded: datetime.date | None,
    ended: datetime.date | None,
) -> str:
    if founded and span.start < founded:
        return State.NOT_REQUIRED
    if ended and ended < span.last_day:
        return State.NOT_REQUIRED
    if today < span.start:
        return State.FUTURE
    if held >= times:
        return State.DONE
    return State.DUE if today <= span.last_day else State.OVERDUE


@dataclass
class OrgYear:
    """What one organisation owes in a year and what it held: the basis of every view."""

    org: PartyOrg
    rules: list[Rule]
    #: meeting kind -> month -> confirmed meetings held
    held: dict[str, dict[int, int]]
    founded: datetime.date | None
    ended: datetime.date | None
    year: int

    def figures(self, rule: Rule, today: datetime.date, within: Span | None = None) -> list[Figure]:
        """The periods of `rule` that overlap `within` (default the whole year)."""
        out = []
        by_month = self.held.get(rule.meeting_kind, {})
        for s in spans(self.year, rule.period):
            if within and not (s.start < within.end and within.start < s.end):
                continue
            held = sum(by_month.get(m, 0) for m in s.months)
            state = state_of(s, held, rule.times, today, self.founded, self.ended)
            out.append(Figure(s, rule.times, held, state))
        return out


def local_midnight(day: datetime.date) -> datetime.datetime:
    """The start of a local day, aware."""
    return datetime.datetime.combine(day, datetime.time(), tzinfo=timezone.get_current_timezone())


def _local_date(value: datetime.datetime | None) -> datetime.date | None:
    return timezone.localdate(value) if value else None


def creation_dates(orgs: Sequence[PartyOrg]) -> dict[int, datetime.date]:
    """When each organisation without `founded_on` was entered (its `org.create` audit row),
    in one query; empty (no query) when every one has a founding date."""
    missing = [str(o.pk) for o in orgs if not o.founded_on]
    if not missing:
        return {}
    rows = (
        AuditLog.objects.filter(
            verb="org.create", object_type="orgs.partyorg", object_id__in=missing
        )
        .values("object_id")
        .annotate(first=Min("at"))
    )
    return {int(r["object_id"]): timezone.localdate(r["first"]) for r in rows}


def held_counts(orgs: Sequence[PartyOrg], year: int) -> dict[int, dict[str, dict[int, int]]]:
    """Confirmed meetings per organisation, kind and local month of `year`: one grouped query
    (a path-prefix range when the organisations form subtrees, else by id)."""
    out: dict[int, dict[str, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    if not orgs:
        return out
    first = local_midnight(datetime.date(year, 1, 1))
    after = local_midnight(datetime.date(year + 1, 1, 1))
    rows = (
        Meeting.objects.filter(
            counted(),
            org_id__in=[o.pk for o in orgs],
            starts_at__gte=first,
            starts_at__lt=after,
        )
        .annotate(month=TruncMonth("starts_at"))
        .values("org_id", "kind", "month")
        .annotate(n=Count("id"))
    )
    for r in rows:
        month = r["month"]
        m = (timezone.localtime(month) if isinstance(month, datetime.datetime) else month).month
        out[r["org_id"]][r["kind"]][m] = out[r["org_id"]][r["kind"]].get(m, 0) + r["n"]
    return out


def org_years(
    orgs: Sequence[PartyOrg], year: int, book: RuleBook | None = None
) -> dict[int, OrgYear]:
    """Rules and held counts of each organisation for the year (3–4 queries in all)."""
    book = book or RuleBook(year)
    created = creation_dates(orgs)
    held = held_counts(orgs, year)
    out = {}
    for org in orgs:
        out[org.pk] = OrgYear(
            org=org,
            rules=book.rules_of(org.kind, org.path),
            held=held.get(org.pk, {}),
            founded=org.founded_on or created.get(org.pk),
            ended=_local_date(org.ended_at),
            year=year,
        )
    return out


def attendance(
    orgs: Sequence[PartyOrg], start: datetime.date, end: datetime.date
) -> dict[int, tuple[int, int]]:
    """(attended, counted) roster rows of confirmed meetings starting in [start, end), per
    organisation: present and late over the rows counted in attendance. One query."""
    if not orgs:
        return {}
    rows = (
        Attendee.objects.filter(
            counted("meeting__"),
            meeting__org_id__in=[o.pk for o in orgs],
            meeting__starts_at__gte=local_midnight(start),
            meeting__starts_at__lt=local_midnight(end),
            counts=True,
        )
        .values("meeting__org_id")
        .annotate(
            n_counted=Count("id"),
            n_attended=Count(
                "id", filter=Q(status__in=[Attendee.Status.PRESENT, Attendee.Status.LATE])
            ),
        )
    )
    return {r["meeting__org_id"]: (r["n_attended"], r["n_counted"]) for r in rows}


def rate(attended: int, counted: int) -> float | None:
    """Percent with one decimal, or None when nobody was counted."""
    return round(100 * attended / counted, 1) if counted else None


# --- The subtree table --------------------------------------------------------------------------


@dataclass
class Row:
    org: PartyOrg
    cells: dict[str, Cell]
    groups: int = 0
    attended: int = 0
    counted: int = 0
    #: the cells in the table's column order (None where the kind is not owed).
    line: list[Cell | None] = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        return rate(self.attended, self.counted)

    @property
    def state(self) -> str:
        return worst(c.state for c in self.cells.values())

    def cell_list(self, kinds: Sequence[str]) -> list[Cell | None]:
        return [self.cells.get(k) for k in kinds]

    def count(self, state: str) -> int:
        return sum(1 for c in self.cells.values() if c.state == state)


@dataclass
class Total:
    kind: str
    required: int = 0
    held: int = 0
    done: int = 0
    due: int = 0
    overdue: int = 0

    @property
    def label(self) -> Any:
        return MeetingKind(self.kind).label


@dataclass
class Table:
    root: PartyOrg
    year: int
    period: str
    index: int
    window: Span
    today: datetime.date
    kinds: list[str]
    rows: list[Row]
    totals: list[Total]
    attended: int = 0
    counted: int = 0

    @property
    def kind_labels(self) -> list[tuple[str, Any]]:
        return [(k, MeetingKind(k).label) for k in self.kinds]

    @property
    def rate(self) -> float | None:
        return rate(self.attended, self.counted)


def _add(cell: Cell, oy: OrgYear, rule: Rule, today: datetime.date, within: Span) -> None:
    figures = oy.figures(rule, today, within)
    cell.figures.extend(figures)
    if any(f.state in _OWED for f in figures):
        cell.members += 1
        if worst(f.state for f in figures) == State.DONE:
            cell.members_done += 1
    if cell.rule is None:
        cell.rule = rule


def table(root: PartyOrg, year: int, period: str, index: int | None, today: datetime.date) -> Table:
    """The compliance of `root`'s subtree over one window of `year`: a row per organisation
    that owes something (groups folded into their branch), a column per meeting kind."""
    within = window(year, period, index)
    orgs = list(
        PartyOrg.objects.filter(path__startswith=root.path)
        .exclude(ended_at__lt=local_midnight(datetime.date(year, 1, 1)))
        .order_by("path")
    )
    years = org_years(orgs, year)
    att = attendance(orgs, within.start, within.end)
    by_path = {o.path: o for o in orgs}
    rows: dict[int, Row] = {}
    order: list[int] = []

    def row_for(org: PartyOrg) -> Row:
        if org.pk not in rows:
            rows[org.pk] = Row(org, {})
            order.append(org.pk)
        return rows[org.pk]

    for org in orgs:
        parent = by_path.get(org.path[: -org.steplen])
        target = parent if org.kind == PartyOrg.Kind.GROUP and parent is not None else org
        row = row_for(target)
        if target is not org:
            row.groups += 1
        oy = years[org.pk]
        for rule in oy.rules:
            cell = row.cells.setdefault(rule.meeting_kind, Cell(rule.meeting_kind))
            _add(cell, oy, rule, today, within)
        a, c = att.get(org.pk, (0, 0))
        row.attended += a
        row.counted += c
    kept = [rows[pk] for pk in order if rows[pk].cells]
    kinds = sorted({k for r in kept for k in r.cells}, key=KIND_ORDER.index)
    for r in kept:
        r.line = r.cell_list(kinds)
    totals = []
    for k in kinds:
        t = Total(k)
        for r in kept:
            found = r.cells.get(k)
            if found is None:
                continue
            t.required += found.required
            t.held += found.held
            st = found.state
            t.done += st == State.DONE
            t.due += st == State.DUE
            t.overdue += st == State.OVERDUE
        totals.append(t)
    out = Table(root, year, period, within.index, within, today, kinds, kept, totals)
    out.attended = sum(r.attended for r in kept)
    out.counted = sum(r.counted for r in kept)
    return out


# --- What is due now (the branch's view, the to-dos and the reminders) --------------------------


@dataclass
class Due:
    """The current period of one rule of one organisation."""

    org: PartyOrg
    rule: Rule
    figure: Figure

    @property
    def kind(self) -> str:
        return self.rule.meeting_kind

    @property
    def kind_label(self) -> Any:
        return MeetingKind(self.rule.meeting_kind).label

    @property
    def deadline(self) -> datetime.date:
        return self.figure.span.last_day

    @property
    def state(self) -> str:
        return self.figure.state

    @property
    def state_label(self) -> Any:
        return STATE_LABELS[self.figure.state]

    def days_left(self, today: datetime.date) -> int:
        return (self.deadline - today).days


def current(orgs: Sequence[PartyOrg], today: datetime.date) -> list[Due]:
    """For each organisation and active rule, the period that contains `today` (this month,
    this quarter, …), in organisation then column order. Periods the organisation does not
    owe are left out."""
    years = org_years(orgs, today.year)
    out = []
    for org in orgs:
        oy = years[org.pk]
        for rule in oy.rules:
            for fig in oy.figures(rule, today, span_of(today, Period.MONTH)):
                if fig.span.contains(today) and fig.state in _OWED:
                    out.append(Due(org, rule, fig))
    return out


def pending(orgs: Sequence[PartyOrg], today: datetime.date, within_days: int) -> list[Due]:
    """The current periods not yet held enough that end within `within_days` days (today
    counted), nearest deadline first."""
    due = [d for d in current(orgs, today) if d.state == State.DUE]
    due = [d for d in due if d.days_left(today) < within_days]
    return sorted(due, key=lambda d: (d.deadline, d.org.path, KIND_ORDER.index(d.kind)))


__all__ = [
    "DEFAULT_RULES",
    "PERIOD_MONTHS",
    "STATE_LABELS",
    "Cell",
    "Due",
    "Figure",
    "Row",
    "Rule",
    "RuleBook",
    "Span",
    "State",
    "Table",
    "attendance",
    "current",
    "default_index",
    "org_years",
    "pending",
    "spans",
    "table",
    "window",
]
