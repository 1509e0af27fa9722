"""`juli generate`: the benchmark district and its cases, on whichever backend the suite runs
(COPY on PostgreSQL, executemany on SQLite).

The district is generated once for the module (committed by a module-scoped
`django_db_setup`, flushed afterwards) with a fixed "now" in the past, so the assertions do
not depend on the day the tests run; each test runs in its own rolled-back transaction.
"""

from __future__ import annotations

import datetime
import io
import re
from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.test import override_settings
from django.utils import timezone

from juli.benchdata import generate as gen
from juli.cases.models import TRANSITIONS, Case, CaseCategory, CaseEvent, CaseSequence, Point
from juli.core.models import AuditLog
from juli.orgs.models import Area, Person, Post, Unit, User

NOW = datetime.datetime(2026, 6, 24, 10, 30, tzinfo=datetime.UTC)
CODE = "310188000000"
N = 2000
WEEKS = 4
#: A small district, so that the module builds fast: 3 streets × 4 communities × 5
#: micro-grids × 4 points (76 areas, 240 points). The default shape is 10×10×20×10.
SHAPE = gen.Shape(3, 4, 5, 4)
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]

built: dict[str, Any] = {}


@pytest.fixture(scope="module")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHER):
        built.update(
            gen.generate(
                N, district_code=CODE, weeks=WEEKS, seed=7, now=NOW, shape=SHAPE, rollups=False
            )
        )
        yield
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def district(db):  # type: ignore[no-untyped-def]
    return Area.objects.get(code=CODE)


def cases_of(district: Area) -> Any:
    return Case.objects.filter(area_path__startswith=district.path)


# --- The world ---------------------------------------------------------------------------------


def test_it_builds_the_district_tree_with_valid_paths(district):
    areas = Area.objects.filter(path__startswith=district.path)
    kinds = Counter(areas.values_list("kind", flat=True))
    assert kinds == {"district": 1, "street": 3, "community": 12, "micro_grid": 60}
    assert built["areas"] == 76
    # treebeard's own consistency check: paths, depth and numchild.
    assert all(not problems for problems in Area.objects.find_problems())
    assert district.numchild == 3 and district.depth == 1 and district.is_root()
    street = Area.objects.get_children(district).first()
    assert street.numchild == 4
    assert Area.objects.get_children(street).first().numchild == 5
    grid = areas.filter(kind="micro_grid").order_by("path").first()
    assert [a.kind for a in Area.objects.get_ancestors(grid)] == ["district", "street", "community"]
    assert grid.search_key  # filled as Area.save fills it


def test_it_builds_units_people_posts_and_a_few_logins(district):
    base = CODE[:6]
    units = Unit.objects.filter(code__startswith=f"{base}-U")
    # Per street 40 of its own and a property company per community.
    assert units.count() == 3 * 40 + 12
    assert units.filter(kind=Unit.Kind.PROPERTY).count() == 12
    people = Person.objects.filter(area_path__startswith=district.path)
    # 3 admins, 9 street staff per street, a grid leader per community, a grid worker per
    # micro-grid and a mobile one per 4, 2 staff per unit (1 for the 16 shop associations
    # and construction companies of each street).
    assert people.count() == 3 + 27 + 12 + 60 + 15 + 2 * 132 - 48
    assert Post.objects.filter(person__in=people).count() == people.count()
    roles = Counter(Post.objects.filter(person__in=people).values_list("role", flat=True))
    assert roles["street_officer"] == 9 and roles["inspector"] == 18
    assert roles["grid_worker"] == 60 and roles["mobile_grid_worker"] == 15
    users = User.objects.filter(person__in=people)
    # Logins: admins, officers, inspectors, grid leaders, 2 grid workers per community, the
    # contact of each property, market and sanitation unit (4 + 5 + 3 per street).
    assert users.count() == 3 + 9 + 18 + 12 + 24 + 36
    assert not any(u.has_usable_password() for u in users[:50])
    assert people.filter(search_key="").count() == 0


def test_it_builds_points_with_units_and_zero_deduction_flags(district):
    points = Point.objects.filter(area_path__startswith=district.path)
    assert points.count() == built["points"] == 240
    assert points.exclude(area__kind="micro_grid").count() == 0
    assert points.filter(responsible_unit__isnull=True).count() == 0
    zero = points.filter(zero_deduction=True).count()
    assert 10 < zero < 45  # about 10%
    per_grid = set(points.values("area").annotate(n=Count("pk")).values_list("n", flat=True))
    assert per_grid == {4}
    compound = points.filter(category__code="compound").select_related("responsible_unit").first()
    assert compound is not None and compound.responsible_unit is not None
    assert compound.responsible_unit.kind == Unit.Kind.PROPERTY
    assert all(p.area_path == p.area.path for p in points.select_related("area")[:200])


def box(area: Area) -> tuple[float, float, float, float]:
    assert area.boundary is not None
    ring = area.boundary["coordinates"][0]
    lngs, lats = [p[0] for p in ring], [p[1] for p in ring]
    return min(lats), min(lngs), max(lats), max(lngs)


def test_it_draws_boundaries_that_nest_and_hold_the_points(district):
    areas = {a.path: a for a in Area.objects.filter(path__startswith=district.path)}
    for path, area in areas.items():
        assert area.boundary["type"] == "Polygon"
        lat0, lng0, lat1, lng1 = box(area)
        assert lat0 < float(area.centre_lat) < lat1 and lng0 < float(area.centre_lng) < lng1
        parent = areas.get(path[: -Area.steplen])
        if parent is not None:
            p0, q0, p1, q1 = box(parent)
            assert p0 <= lat0 and q0 <= lng0 and lat1 <= p1 and lng1 <= q1, area.name
    for point in Point.objects.filter(area_path__startswith=district.path).select_related("area"):
        lat0, lng0, lat1, lng1 = box(point.area)
        assert lat0 <= float(point.lat) <= lat1 and lng0 <= float(point.lng) <= lng1


# --- The cases ---------------------------------------------------------------------------------


def test_it_writes_n_cases_in_micro_grids_of_the_district(district):
    cases = cases_of(district)
    assert cases.count() == N == built["cases"]
    assert Case.objects.count() == N
    assert cases.exclude(area__kind="micro_grid").count() == 0
    assert all(c.area_path == c.area.path for c in cases.select_related("area"))
    with_point = cases.filter(point__isnull=False).select_related("point")
    assert all(c.point.area_id == c.area_id for c in with_point)
    first = timezone.make_aware(
        datetime.datetime.combine(
            timezone.localdate(NOW) - datetime.timedelta(days=WEEKS * 7 - 1), datetime.time.min
        )
    )
    assert cases.filter(reported_at__lt=first).count() == 0
    assert cases.filter(reported_at__gt=NOW).count() == 0
    case = cases.filter(source="inspection").first()
    assert isinstance(case.deduction, Decimal) and case.deduction > 0
    assert case.checklist_item is not None and case.point is not None
    assert case.category_id == case.checklist_item.case_category_id
    assert case.deduction == case.checklist_item.deduction
    assert cases.exclude(source="inspection").filter(deduction__gt=0).count() == 0


def test_it_numbers_cases_uniquely_in_report_order_and_advances_the_sequence(district):
    rows = list(
        cases_of(district).order_by("reported_at", "id").values_list("number", "reported_at")
    )
    numbers = [n for n, _at in rows]
    assert len(set(numbers)) == N
    assert all(re.fullmatch(r"\d{4}-\d{6,}", n) for n in numbers)
    assert all(n.startswith(f"{timezone.localtime(at).year}-") for n, at in rows)
    assert numbers == sorted(numbers)  # one year here: order of numbers is order of reports
    assert CaseSequence.objects.get(year=2026).last == N
    assert len(set(cases_of(district).values_list("client_uuid", flat=True))) == N


def test_it_has_a_realistic_status_mix(district):
    statuses = Counter(cases_of(district).values_list("status", flat=True))
    assert statuses == built["statuses"]
    assert statuses["closed"] > N * 0.75
    assert statuses["rejected"] > 0 and statuses["dispatched"] > 0
    assert statuses["deferred"] > 0
    assert sum(statuses.values()) == N
    overdue = cases_of(district).filter(status="dispatched", deadline__lt=NOW)
    assert overdue.exists()
    # Stalled cases stay open for the last three weeks only; older ones were cleared late.
    stale = NOW - datetime.timedelta(days=gen.STALL_DAYS)
    assert not overdue.filter(deadline__lt=stale).exists()
    actions = Counter(CaseEvent.objects.values_list("action", flat=True))
    assert actions["send_back"] > 0 and actions["escalate"] > 0 and actions["defer"] > 0
    closed = cases_of(district).filter(status="closed")
    late = [c for c in closed if c.rectified_at > c.deadline]
    assert 0.05 * len(closed) < len(late) < 0.3 * len(closed)
    # Repeat problems: some points come back again and again.
    per_point = Counter(cases_of(district).exclude(point=None).values_list("point", flat=True))
    assert max(per_point.values()) >= 3


FIELDS_BY_STATUS = {
    # status → (fields that must be set, fields that must be empty)
    "reported": ((), ("accepted_at", "dispatched_at", "rectified_at", "verified_at", "closed_at")),
    "rejected": ((), ("accepted_at", "dispatched_at", "rectified_at", "closed_at")),
    "accepted": (("accepted_at",), ("dispatched_at", "rectified_at", "closed_at")),
    "dispatched": (
        ("accepted_at", "dispatched_at", "deadline", "unit_id"),
        ("rectified_at", "verified_at", "closed_at"),
    ),
    "deferred": (("dispatched_at", "deferred_at", "deferred_by_id", "deferred_approver_id"), ()),
    "rectified": (("dispatched_at", "rectified_at", "rectified_by_id"), ("verified_at",)),
    "verified": (("rectified_at", "verified_at", "verified_by_id"), ("closed_at",)),
    "closed": (("accepted_at", "dispatched_at", "rectified_at", "verified_at", "closed_at"), ()),
}


def test_it_keeps_timestamps_consistent_with_the_status(district):
    for case in cases_of(district):
        must, must_not = FIELDS_BY_STATUS[case.status]
        assert all(getattr(case, f) is not None for f in must), (case.number, case.status)
        assert all(getattr(case, f) is None for f in must_not), (case.number, case.status)
        stamps = [
            case.reported_at,
            case.accepted_at,
            case.dispatched_at if not case.deferred_at else None,
            case.rectified_at,
            case.verified_at,
            case.closed_at,
        ]
        present = [s for s in stamps if s is not None]
        assert present == sorted(present) and present[-1] <= NOW, case.number


def test_it_writes_the_event_log_the_state_machine_would(district):
    by_case: dict[int, list[CaseEvent]] = defaultdict(list)
    for event in CaseEvent.objects.order_by("at", "id"):
        by_case[event.case_id].append(event)
    cases = {c.pk: c for c in cases_of(district)}
    assert set(by_case) == set(cases)
    for pk, events in by_case.items():
        case = cases[pk]
        assert events[0].action == "report" and events[0].at == case.reported_at
        assert events[0].data == {"source": case.source}
        status = "reported"
        for e in events[1:]:
            assert e.at <= NOW
            if e.action == "escalate":
                assert status == "dispatched" and e.actor_id is None
                continue
            move = TRANSITIONS[e.action]
            assert e.from_status == status and status in move.sources, (case.number, e)
            assert e.to_status == move.target
            status = e.to_status
            if e.action in {"dispatch", "resume"}:
                assert e.data["unit"] == case.unit_id
            if e.action in {"verify", "send_back"}:
                assert e.actor_id != case.rectified_by_id or e.action == "send_back"
        assert status == case.status, case.number
        last_clock = [e for e in events if e.action in {"dispatch", "resume"}]
        if last_clock:
            assert last_clock[-1].at == case.dispatched_at
            assert last_clock[-1].data["deadline"] == case.deadline.strftime("%Y-%m-%dT%H:%M:%SZ")
        if case.escalated_at is not None:
            assert events[-1].action in {"escalate", "rectify", "verify", "close", "send_back"}


def test_it_computes_deadlines_as_the_working_time_calendar_does(district):
    categories = {c.pk: c for c in CaseCategory.objects.all()}
    sample = cases_of(district).filter(dispatched_at__isnull=False).order_by("pk")[::7]
    assert len(sample) > 100
    for case in sample:
        expected = categories[case.category_id].deadline_from(case.dispatched_at)
        assert case.deadline == expected, (case.number, case.dispatched_at)


def test_it_writes_one_summary_audit_row(district):
    rows = AuditLog.objects.filter(verb="cases.generate")
    assert rows.count() == 1
    row = rows.get()
    assert row.after is not None
    assert row.after["cases"] == N and row.object_id == str(district.pk)


def test_its_columns_cover_the_models():
    case_columns = {f.column for f in Case._meta.concrete_fields}
    assert set(gen.CASE_COLUMNS) == case_columns
    event_columns = {f.column for f in CaseEvent._meta.concrete_fields} - {"id"}
    assert set(gen.EVENT_COLUMNS) == event_columns


# --- Refusal and append --------------------------------------------------------------------------


def test_it_refuses_an_existing_district_and_changes_nothing(district):
    before = (Case.objects.count(), CaseEvent.objects.count(), Area.objects.count())
    with pytest.raises(gen.GenerateError, match="already exists"):
        gen.generate(10, district_code=CODE, now=NOW, rollups=False)
    out = io.StringIO()
    with pytest.raises(CommandError, match="--append"):
        call_command("generate", cases=10, district_code=CODE, stdout=out)
    assert (Case.objects.count(), CaseEvent.objects.count(), Area.objects.count()) == before


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"district_code": "310177000000", "append": True}, "does not exist"),
        ({"district_code": "3101"}, "12-digit"),
        ({"district_code": "310188001000"}, "12-digit"),
        ({"weeks": 0}, "--weeks"),
        ({"shape": "bad"}, "--shape"),
    ],
)
def test_it_refuses_bad_arguments(db, kwargs, message):
    before = Area.objects.count()
    with pytest.raises(gen.GenerateError, match=message):
        if "shape" in kwargs:
            gen.Shape.parse(kwargs["shape"])
        gen.generate(10, now=NOW, rollups=False, shape=SHAPE, **kwargs)
    assert Area.objects.count() == before


def test_it_appends_cases_to_the_district_with_fresh_numbers(district):
    numbers = set(Case.objects.values_list("number", flat=True))
    result = gen.generate(
        300, district_code=CODE, weeks=WEEKS, seed=7, append=True, now=NOW, rollups=False
    )
    assert result["cases"] == 300
    assert cases_of(district).count() == N + 300
    new = set(Case.objects.values_list("number", flat=True)) - numbers
    assert len(new) == 300
    assert CaseSequence.objects.get(year=2026).last == N + 300
    assert Area.objects.filter(path__startswith=district.path).count() == 76  # no new world
    assert CaseEvent.objects.filter(case__number__in=new).values("case").distinct().count() == 300


def test_the_command_prints_a_summary(db):
    out = io.StringIO()
    call_command(
        "generate",
        cases=200,
        district_code="310177000000",
        weeks=2,
        shape="2x2x2x2",
        no_rollups=True,
        stdout=out,
        verbosity=0,
    )
    text = out.getvalue()
    assert "District 310177000000: 15 areas, 16 points; 200 cases" in text
    assert Case.objects.filter(area__code__startswith="310177").count() == 200


def test_the_same_seed_gives_the_same_cases(db):
    """Reproducible: two districts generated with one seed have the same case histories
    (ids, numbers and codes differ; statuses, times and deadlines do not)."""

    def history(code: str) -> list[tuple[Any, ...]]:
        gen.generate(
            300, district_code=code, weeks=2, seed=3, now=NOW, shape=gen.Shape(2, 2, 2, 2),
            rollups=False,
        )  # fmt: skip
        return list(
            Case.objects.filter(area__code__startswith=code[:6])
            .order_by("reported_at", "id")
            .values_list(
                "status", "source", "category__code", "reported_at", "deadline", "closed_at"
            )
        )

    first, second = history("310166000000"), history("310155000000")
    assert len(first) == 300 and first == second


def test_a_failed_write_fails_the_run_and_leaves_nothing(district, monkeypatch):
    before = (
        Case.objects.count(),
        CaseEvent.objects.count(),
        CaseSequence.objects.get(year=2026).last,
    )

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    # PostgreSQL writes in a background thread (COPY), SQLite in the caller's: both fail it.
    monkeypatch.setattr(gen, "_copy_rows", broken)
    monkeypatch.setattr(gen, "_insert_rows", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        gen.generate(
            100, district_code=CODE, weeks=WEEKS, append=True, now=NOW, shape=SHAPE, rollups=False
        )
    after = (
        Case.objects.count(),
        CaseEvent.objects.count(),
        CaseSequence.objects.get(year=2026).last,
    )
    assert after == before
