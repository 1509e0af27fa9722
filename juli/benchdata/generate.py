"""A district at scale for benchmarks: `juli generate --cases N` (see bench/README.md).

It lives outside `juli.cases` because it writes the loop's tables in bulk *and* rebuilds the
read side's rollups afterwards (`juli.stats.rollups`): the case loop itself never imports the
read side.

What it builds, in one transaction:

- the territorial tree of one new district: 10 streets → 10 communities each → 20
  micro-grids each (2,111 areas; materialised paths, depth and numchild computed here);
- about 500 responsible units (per street: the street office, a sanitation station, the
  city-management team, the traffic police, markets, bus-stop and construction companies,
  shop-front associations, and one property company per community);
- about 3,500 people with posts (district administrators, street officers, inspectors, grid
  leaders, a grid worker per micro-grid, mobile grid workers, unit staff); a few hundred of
  them have logins (no usable password: benchmarks log in with `force_login`);
- 10 points per micro-grid (20,000), of the demo's point categories, about 10% of them
  zero-deduction points, each with its responsible unit;
- N cases over the last W weeks with their `CaseEvent` rows, as `actions.transition` would
  have written them: report → accept (or reject) → dispatch → rectify → verify (or send back
  and rectify again) → close; some deferred (and resumed), some stuck past their deadline and
  escalated, rectifications on time and late, repeat problems at the same points (points are
  drawn with skewed weights), checklist deductions on inspection cases. What a case has
  reached depends on how old it is: old cases are closed, recent ones are still in the loop.

Speed: the few thousand tree/people rows go through `bulk_create`; cases and events are
formatted in plain Python and written in chunks: on PostgreSQL with COPY (psycopg 3
`cursor.copy()`) from a background thread over the same connection and transaction, so that
formatting the next chunk overlaps the server's work on this one; on SQLite with
`executemany`. For large runs on PostgreSQL the secondary indexes and
the foreign keys of the two case tables are dropped first and rebuilt at the end (in the same
transaction, so a failure restores them); this holds an exclusive lock on those tables for
the whole run, which is acceptable for a benchmark database and nothing else.

Deliberately not written (a benchmark fixture, not a history of real work): one audit row
summarises the whole run instead of one per write; no TreeChange rows, party organisations,
photos, inspections, inspection assignments or notifications. Deadlines follow the working
time calendar as `CaseCategory.deadline_from` does (same result, computed from a table of
working minutes). Case numbers continue each year's `CaseSequence`.
"""

from __future__ import annotations

import bisect
import datetime
import functools
import queue
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from juli.cases import worktime
from juli.cases.demo import data
from juli.cases.models import (
    Case,
    CaseCategory,
    CaseEvent,
    CaseSequence,
    ChecklistItem,
    Point,
    PointCategory,
)
from juli.cases.search import case_search_key
from juli.core.audit import record
from juli.orgs.demo.people import PersonFactory
from juli.orgs.models import Area, Person, Post, Unit, User
from juli.orgs.roles import Role
from juli.orgs.search import search_key
from juli.stats import rollups as stats_rollups

DEFAULT_DISTRICT_CODE = "310199000000"
DEFAULT_WEEKS = 104


@dataclass(frozen=True)
class Shape:
    """The size of the territorial tree: streets, communities per street, micro-grids per
    community, points per micro-grid (default 10 × 10 × 20 × 10: 2,000 grids, 20,000 points)."""

    streets: int = 10
    communities: int = 10
    grids: int = 20
    points: int = 10

    @classmethod
    def parse(cls, text: str) -> Shape:
        """ "10x10x20x10" → Shape(10, 10, 20, 10)."""
        try:
            parts = [int(p) for p in text.lower().split("x")]
            shape = cls(*parts)
        except (TypeError, ValueError):
            raise GenerateError(
                "--shape is streets×communities×grids×points, such as 10x10x20x10."
            ) from None
        if not (
            1 <= shape.streets <= 99
            and 1 <= shape.communities <= 999
            and 1 <= shape.grids <= 9999
            and shape.points >= 1
        ):
            raise GenerateError("--shape is streets×communities×grids×points, such as 10x10x20x10.")
        return shape


#: Grid workers with a login per community (they report from their phones).
GRID_LOGINS_PER_COMMUNITY = 2
#: Cases formatted and written per chunk.
CHUNK = 20_000
#: From this many cases on, PostgreSQL runs drop and rebuild the case tables' indexes.
DEFER_INDEXES_FROM = 100_000
#: A stalled case stays open at most this many days past its deadline.
STALL_DAYS = 21
#: Minutes of working-time table built past "now" (deadlines of recent dispatches).
MARGIN_DAYS = 40

S = Case.Status

STREET_NAMES = [
    "聚贤路",
    "明德路",
    "和平里",
    "春晖",
    "望江",
    "翠湖",
    "东升",
    "新华",
    "长乐",
    "瑞金",
]
COMMUNITY_NAMES = [
    "一村",
    "二村",
    "花园",
    "新苑",
    "北苑",
    "南苑",
    "东里",
    "西里",
    "家园",
    "公寓",
]
#: Point categories and their share of points (the demo's checklists).
POINT_MIX = [
    ("compound", 30),
    ("shop-front", 25),
    ("back-street", 20),
    ("bus-stop", 8),
    ("toilet", 7),
    ("market", 5),
    ("construction", 5),
]
POINT_WORDS = {
    "compound": ("小区", "新村", "公寓", "家园"),
    "shop-front": ("沿街商铺",),
    "back-street": ("弄", "支弄", "后巷"),
    "bus-stop": ("公交站",),
    "toilet": ("公厕",),
    "market": ("菜场", "农贸市场", "早市"),
    "construction": ("项目工地", "管线改造工地"),
}
#: Unit kinds per street (key, kind, how many, name pattern); property companies come on top,
#: one per community. Keys name who answers for what in `RESPONSIBLE_KEY`.
STREET_UNITS = [
    ("office", Unit.Kind.STREET_OFFICE, 1, "{s}街道办事处"),
    ("sanitation", Unit.Kind.SANITATION, 3, "{s}环卫作业所第{n}作业组"),
    ("cityteam", Unit.Kind.GOVERNMENT, 2, "{s}城管中队第{n}分队"),
    ("police", Unit.Kind.POLICE, 1, "{s}交警中队"),
    ("market", Unit.Kind.MARKET, 5, "{s}第{n}农贸市场管理公司"),
    ("bus", Unit.Kind.COMPANY, 2, "{s}公交站亭维护站第{n}站"),
    ("construction", Unit.Kind.COMPANY, 6, "{s}第{n}建设工程项目部"),
    ("shops", Unit.Kind.SOCIAL, 10, "{s}第{n}商户自治联盟"),
    ("company", Unit.Kind.COMPANY, 10, "{s}第{n}物业服务分公司"),
]
#: Point category (or the demo's dispatch key) → unit key of the street.
RESPONSIBLE_KEY = {
    "market": "market",
    "back-street": "sanitation",
    "toilet": "sanitation",
    "bus-stop": "bus",
    "construction": "construction",
    "shop-front": "shops",
    "parking": "police",
    "property": "property",
}
UNIT_KEYS_WITH_LOGINS = frozenset({"property", "market", "sanitation"})
#: Whom a case without a point goes to, by case category (a unit key of the street).
DISPATCH_KEY = {category: RESPONSIBLE_KEY[key] for category, key in data.DISPATCH_TO.items()}
REPORTS = data.REPORTS
PUBLIC_NAMES = data.PUBLIC_NAMES
REJECT_NOTES = data.REJECT_NOTES
SEND_BACK_NOTES = data.SEND_BACK_NOTES
RECTIFY_NOTES = data.RECTIFY_NOTES
DEFER_NOTES = data.DEFER_NOTES
#: Case sources and their shares.
SOURCES = [("inspection", 55), ("grid_worker", 25), ("public", 8), ("hotline", 8), ("referral", 4)]


class GenerateError(Exception):
    """The generator refuses to run (the command turns it into a CommandError)."""


# --- The world --------------------------------------------------------------------------------


@dataclass
class Grid:
    id: int
    path: str
    street: int  # index into World.streets
    community: int  # index into World.communities


@dataclass
class PointRow:
    id: int
    grid: int  # index into World.grids
    category: str  # point category code
    unit: int | None
    name: str
    lat: str
    lng: str
    zero: bool


@dataclass
class StreetCast:
    id: int
    officers: list[int] = field(default_factory=list)
    inspectors: list[int] = field(default_factory=list)
    #: unit key → unit ids
    units: dict[str, list[int]] = field(default_factory=dict)


@dataclass
class World:
    district: Area
    streets: list[StreetCast]
    communities: list[tuple[int, int]]  # (area id, street index)
    property_unit: dict[int, int]  # community index → its property company
    grids: list[Grid]
    points: list[PointRow]
    admins: list[int]
    #: Grid workers with logins: (user id, grid index).
    grid_reporters: list[tuple[int, int]]
    #: unit id → user id of its contact, for units that work in Juli themselves.
    unit_users: dict[int, int]


def _area_rows(district_code: str, rng: random.Random, shape: Shape) -> list[Area]:
    """The district's tree as unsaved `Area`s with paths, depth and numchild."""
    last_root = Area.objects.get_last_root_node()
    root_path = last_root._inc_path() if last_root else Area._get_path(None, 1, 1)
    base = district_code[:6]
    lat0, lng0 = 31.20 + rng.random() / 10, 121.45 + rng.random() / 10
    # A tiling: grids in columns of 5 within a community, communities in columns of 5 within
    # a street, streets in columns of 5 within the district (degrees; ~55 m × 57 m a grid).
    grid_lat, grid_lng = 0.0005, 0.0006
    comm_lat = 5 * grid_lat + 0.0001
    comm_lng = -(-shape.grids // 5) * grid_lng + 0.0001
    street_lat = 5 * comm_lat + 0.0002
    street_lng = -(-shape.communities // 5) * comm_lng + 0.0002

    def area(
        path: str,
        depth: int,
        numchild: int,
        name: str,
        kind: str,
        code: str,
        lat: float,
        lng: float,
    ) -> Area:
        a = Area(
            path=path,
            depth=depth,
            numchild=numchild,
            name=name,
            kind=kind,
            code=code,
            centre_lat=Decimal(f"{lat:.6f}"),
            centre_lng=Decimal(f"{lng:.6f}"),
        )
        a.search_key = search_key(f"{name} {code}")
        return a

    rows = [area(root_path, 1, shape.streets, "聚力新区", "district", district_code, lat0, lng0)]
    for s in range(shape.streets):
        s_path = Area._get_path(root_path, 2, s + 1)
        s_name = f"{STREET_NAMES[s % len(STREET_NAMES)]}街道"
        s_lat, s_lng = lat0 + (s % 5) * street_lat, lng0 + (s // 5) * street_lng
        rows.append(
            area(
                s_path,
                2,
                shape.communities,
                s_name,
                "street",
                f"{base}{s + 1:03d}000",
                s_lat,
                s_lng,
            )
        )
        for c in range(shape.communities):
            c_path = Area._get_path(s_path, 3, c + 1)
            c_name = f"{STREET_NAMES[s % len(STREET_NAMES)]}{COMMUNITY_NAMES[c % len(COMMUNITY_NAMES)]}居民区"
            c_lat, c_lng = s_lat + (c % 5) * comm_lat, s_lng + (c // 5) * comm_lng
            rows.append(
                area(
                    c_path,
                    3,
                    shape.grids,
                    c_name,
                    "community",
                    f"{base}{s + 1:03d}{c + 1:03d}",
                    c_lat,
                    c_lng,
                )
            )
            for g in range(shape.grids):
                rows.append(
                    area(
                        Area._get_path(c_path, 4, g + 1),
                        4,
                        0,
                        f"{c_name}第{g + 1}微网格",
                        "micro_grid",
                        f"{base}{s + 1:03d}{c + 1:03d}{g + 1:04d}",
                        c_lat + (g % 5) * grid_lat,
                        c_lng + (g // 5) * grid_lng,
                    )
                )
    _boundaries(rows)
    return rows


def _boundaries(rows: list[Area]) -> None:
    """Rectangles as GeoJSON polygons: a micro-grid around its centre, every other area the
    box of its children (whose centre becomes its centre). The dashboard maps them."""
    boxes: dict[str, list[float]] = {}  # path → [lat0, lng0, lat1, lng1]
    for area in sorted(rows, key=lambda a: -a.depth):
        if area.kind == Area.Kind.MICRO_GRID:
            lat, lng = float(area.centre_lat or 0), float(area.centre_lng or 0)
            box = [lat - 0.00024, lng - 0.00029, lat + 0.00024, lng + 0.00029]
        else:
            children = [b for p, b in boxes.items() if p[: -Area.steplen] == area.path]
            box = [
                min(b[0] for b in children) - 0.00005,
                min(b[1] for b in children) - 0.00005,
                max(b[2] for b in children) + 0.00005,
                max(b[3] for b in children) + 0.00005,
            ]
            area.centre_lat = Decimal(f"{(box[0] + box[2]) / 2:.6f}")
            area.centre_lng = Decimal(f"{(box[1] + box[3]) / 2:.6f}")
        boxes[area.path] = box
        lat0, lng0, lat1, lng1 = (round(v, 6) for v in box)
        area.boundary = {
            "type": "Polygon",
            "coordinates": [[[lng0, lat0], [lng1, lat0], [lng1, lat1], [lng0, lat1], [lng0, lat0]]],
        }


def build_world(
    district_code: str, rng: random.Random, *, since: datetime.date, shape: Shape = Shape()
) -> Area:
    """Create the district's areas, units, people, posts, logins and points (bulk)."""
    _ensure_categories()
    Area.objects.bulk_create(_area_rows(district_code, rng, shape), batch_size=1000)
    district = Area.objects.get(code=district_code)
    areas = list(Area.objects.filter(path__startswith=district.path).order_by("path"))
    streets = [a for a in areas if a.kind == Area.Kind.STREET]
    communities = [a for a in areas if a.kind == Area.Kind.COMMUNITY]
    grids = [a for a in areas if a.kind == Area.Kind.MICRO_GRID]
    base = district_code[:6]

    # Units: coded "<district>-U<street>-<key>-<n>" so that the cast can be read back.
    units: list[Unit] = []
    for s, street in enumerate(streets):
        short = street.name.removesuffix("街道")
        for key, kind, count, pattern in STREET_UNITS:
            for n in range(1, count + 1):
                units.append(
                    Unit(
                        name=pattern.format(s=short, n=n),
                        kind=kind,
                        code=f"{base}-U{s + 1:02d}-{key}-{n:02d}",
                        area=street,
                    )
                )
        for c, community in enumerate(
            communities[s * shape.communities : (s + 1) * shape.communities]
        ):
            units.append(
                Unit(
                    name=f"{community.name.removesuffix('居民区')}物业服务中心",
                    kind=Unit.Kind.PROPERTY,
                    code=f"{base}-U{s + 1:02d}-property-{c + 1:02d}",
                    area=community,
                )
            )
    for u in units:
        u.search_key = search_key(u.name)
    Unit.objects.bulk_create(units, batch_size=1000)
    units = list(Unit.objects.filter(code__startswith=f"{base}-U").order_by("code"))

    # People and posts: (person, role, area, unit, title, login?)
    factory = PersonFactory(rng)
    people: list[tuple[Person, str, Area | None, Unit | None, str, bool]] = []

    def person(area: Area | None, unit: Unit | None, occupation: str, political: str) -> Person:
        gender = factory.gender()
        try:
            name = factory.name(gender)
        except RuntimeError:  # the name tables ran out: repeat a name, as life does
            name = rng.choice("王李张刘陈杨") + rng.choice("伟芳敏静强磊军洋")
        return Person(
            name=name,
            gender=gender,
            birth_year=factory.birth_year(22, 60),
            political_status=political,
            occupation=occupation,
            unit=unit,
            area=area,
            area_path=area.path if area else "",
            org_path="",
            search_key=search_key(name, person=True),
        )

    member, masses = Person.PoliticalStatus.MEMBER, Person.PoliticalStatus.MASSES
    civil, community_worker = Person.Occupation.CIVIL_SERVANT, Person.Occupation.COMMUNITY_WORKER
    for _n in range(3):
        people.append(
            (
                person(district, None, civil, member),
                Role.DISTRICT_ADMIN,
                district,
                None,
                "区创城办",
                True,
            )
        )
    for street in streets:
        for _n in range(3):
            people.append(
                (
                    person(street, None, civil, member),
                    Role.STREET_OFFICER,
                    street,
                    None,
                    "街道干部",
                    True,
                )
            )
        for _n in range(6):
            people.append(
                (person(street, None, civil, masses), Role.INSPECTOR, street, None, "督查员", True)
            )
    for community in communities:
        people.append(
            (
                person(community, None, community_worker, member),
                Role.GRID_LEADER,
                community,
                None,
                "网格长",
                True,
            )
        )
    mobile = [
        Person.Occupation.COURIER,
        Person.Occupation.DELIVERY_RIDER,
        Person.Occupation.SHOP_OWNER,
        Person.Occupation.VOLUNTEER,
    ]
    for g, grid in enumerate(grids):
        login = g % shape.grids < GRID_LOGINS_PER_COMMUNITY
        people.append(
            (
                person(grid, None, community_worker, masses),
                Role.GRID_WORKER,
                grid,
                None,
                "网格员",
                login,
            )
        )
        if g % 4 == 0:
            people.append(
                (
                    person(grid, None, rng.choice(mobile), masses),
                    Role.MOBILE_GRID_WORKER,
                    grid,
                    None,
                    "移动网格员",
                    False,
                )
            )
    for unit in units:
        key = unit.code.split("-")[2] if unit.code else ""
        area = unit.area
        for n in range(1 if key in {"shops", "construction"} else 2):
            people.append(
                (
                    person(area, unit, Person.Occupation.ENTERPRISE, masses),
                    Role.UNIT_STAFF,
                    None,
                    unit,
                    "整改联系人" if n == 0 else "工作人员",
                    n == 0 and key in UNIT_KEYS_WITH_LOGINS,
                )
            )
    prefix = f"19{base[3:6]}"
    if not Person.objects.filter(phone__startswith=prefix).exists():
        for i, (p, *_rest) in enumerate(people):
            p.phone = f"{prefix}{i:06d}"
    Person.objects.bulk_create([p for p, *_rest in people], batch_size=2000)
    started = since - datetime.timedelta(days=30)
    Post.objects.bulk_create(
        [
            Post(person=p, role=role, area=area, unit=unit, title=title, started_on=started)
            for p, role, area, unit, title, _login in people
        ],
        batch_size=2000,
    )
    unusable = make_password(None)
    User.objects.bulk_create(
        [
            User(
                username=f"g{base}-{role.replace('_', '')}-{i}",
                person=p,
                password=unusable,
                first_name=p.name,
            )
            for i, (p, role, _a, _u, _t, login) in enumerate(people)
            if login
        ],
        batch_size=2000,
    )

    # Points: 10 per micro-grid, the responsible unit by category.
    categories = {
        c.code: c.pk for c in PointCategory.objects.filter(code__in=[c for c, _w in POINT_MIX])
    }
    by_code = {u.code: u for u in units}
    codes = [c for c, _w in POINT_MIX]
    weights = [w for _c, w in POINT_MIX]
    points: list[Point] = []
    n = 0
    for g, grid in enumerate(grids):
        s, c = (
            g // (shape.communities * shape.grids),
            (g // shape.grids) % shape.communities,
        )
        street_name = streets[s].name.removesuffix("街道")
        for k in range(shape.points):
            n += 1
            code = rng.choices(codes, weights=weights)[0]
            key = "property" if code == "compound" else RESPONSIBLE_KEY[code]
            if key == "property":
                unit = by_code[f"{base}-U{s + 1:02d}-property-{c + 1:02d}"]
            else:
                count = next(cnt for k2, _kind, cnt, _p in STREET_UNITS if k2 == key)
                unit = by_code[f"{base}-U{s + 1:02d}-{key}-{rng.randrange(count) + 1:02d}"]
            word = rng.choice(POINT_WORDS[code])
            assert grid.centre_lat is not None and grid.centre_lng is not None
            points.append(
                Point(
                    code=f"{base}-P{n:06d}",
                    name=f"{street_name}{g % 97 + 1}号{word}"
                    if code != "compound"
                    else f"{street_name}{COMMUNITY_NAMES[(g + k) % 10]}{word}",
                    area=grid,
                    area_path=grid.path,
                    category_id=categories[code],
                    lat=grid.centre_lat + Decimal(rng.randint(-200, 200)) / 1_000_000,
                    lng=grid.centre_lng + Decimal(rng.randint(-250, 250)) / 1_000_000,
                    responsible_unit=unit,
                    zero_deduction=rng.random() < 0.10,
                    created_at=timezone.make_aware(
                        datetime.datetime.combine(started, datetime.time(9))
                    ),
                )
            )
    Point.objects.bulk_create(points, batch_size=2000)
    return district


def _ensure_categories() -> None:
    """The demo's case and point categories with their checklists (created when missing,
    through the actions: a few dozen audited rows)."""
    from juli.cases import actions

    existing = set(CaseCategory.objects.values_list("code", flat=True))
    for code, name, limit, unit, in_working_time in data.CASE_CATEGORIES:
        if code not in existing:
            actions.create_case_category(
                None,
                code=code,
                name=name,
                time_limit=limit,
                time_unit=unit,
                in_working_time=in_working_time,
            )
    case_categories = {c.code: c for c in CaseCategory.objects.all()}
    existing = set(PointCategory.objects.values_list("code", flat=True))
    for code, (name, every, checklist) in data.POINT_CATEGORIES.items():
        if code in existing:
            continue
        category = actions.create_point_category(None, code=code, name=name, frequency_days=every)
        for order, (text, deduction, case_code) in enumerate(checklist, start=1):
            actions.create_checklist_item(
                None,
                category,
                text=text,
                deduction=Decimal(deduction),
                case_category=case_categories[case_code],
                order=order,
            )


def load_world(district: Area) -> World:
    """Read back what `build_world` made (also for --append to an existing district)."""
    prefix = district.path
    base = district.code[:6]
    areas = list(
        Area.objects.filter(path__startswith=prefix, depth__gt=district.depth)
        .order_by("path")
        .values_list("id", "path", "kind")
    )
    street_index = {p: i for i, (_id, p, k) in enumerate(a for a in areas if a[2] == "street")}
    streets = [StreetCast(id=a[0]) for a in areas if a[2] == "street"]
    community_rows = [a for a in areas if a[2] == "community"]
    community_index = {p: i for i, (_id, p, _k) in enumerate(community_rows)}
    step = Area.steplen
    communities = [(a[0], street_index[a[1][: len(prefix) + step]]) for a in community_rows]
    grids = [
        Grid(
            id=a[0],
            path=a[1],
            street=street_index[a[1][: len(prefix) + step]],
            community=community_index[a[1][: len(prefix) + 2 * step]],
        )
        for a in areas
        if a[2] == "micro_grid"
    ]
    if not grids:
        raise GenerateError(
            f"District {district.code} has no micro-grids: it was not made by the generator."
        )
    grid_index = {g.id: i for i, g in enumerate(grids)}

    property_unit: dict[int, int] = {}
    for unit_id, code, area_path in Unit.objects.filter(code__startswith=f"{base}-U").values_list(
        "id", "code", "area__path"
    ):
        _b, street_part, key, _n = (code or "").split("-")
        s = int(street_part[1:]) - 1
        if s >= len(streets):
            continue
        streets[s].units.setdefault(key, []).append(unit_id)
        if key == "property" and area_path in community_index:
            property_unit[community_index[area_path]] = unit_id
    for cast in streets:
        for ids in cast.units.values():
            ids.sort()

    admins: list[int] = []
    grid_reporters: list[tuple[int, int]] = []
    unit_users: dict[int, int] = {}
    posts = Post.objects.filter(person__user__isnull=False, ended_on__isnull=True).order_by("pk")
    for user_id, role, area_id, path in posts.filter(area__path__startswith=prefix).values_list(
        "person__user__id", "role", "area_id", "area__path"
    ):
        if role == Role.DISTRICT_ADMIN:
            admins.append(user_id)
        elif role == Role.STREET_OFFICER and path in street_index:
            streets[street_index[path]].officers.append(user_id)
        elif role == Role.INSPECTOR and path in street_index:
            streets[street_index[path]].inspectors.append(user_id)
        elif role == Role.GRID_WORKER and area_id in grid_index:
            grid_reporters.append((user_id, grid_index[area_id]))
    for user_id, unit_id in posts.filter(
        role=Role.UNIT_STAFF, unit__code__startswith=f"{base}-U"
    ).values_list("person__user__id", "unit_id"):
        unit_users.setdefault(unit_id, user_id)
    if not admins or any(not s.officers or not s.inspectors for s in streets):
        raise GenerateError(
            f"District {district.code} lacks the officers and inspectors the generator makes."
        )

    points = [
        PointRow(
            id=pk,
            grid=grid_index[area_id],
            category=category,
            unit=unit_id,
            name=name,
            lat=str(lat) if lat is not None else "",
            lng=str(lng) if lng is not None else "",
            zero=zero,
        )
        for pk, area_id, category, unit_id, name, lat, lng, zero in Point.objects.filter(
            area_path__startswith=prefix, is_active=True
        )
        .order_by("pk")
        .values_list(
            "id",
            "area_id",
            "category__code",
            "responsible_unit_id",
            "name",
            "lat",
            "lng",
            "zero_deduction",
        )
        if area_id in grid_index
    ]
    if not points:
        raise GenerateError(f"District {district.code} has no points.")
    return World(
        district=district,
        streets=streets,
        communities=communities,
        property_unit=property_unit,
        grids=grids,
        points=points,
        admins=admins,
        grid_reporters=grid_reporters,
        unit_users=unit_users,
    )


# --- Working time ------------------------------------------------------------------------------


class Deadlines:
    """`CaseCategory.deadline_from` for minute-aligned dispatch times, by table look-up.

    The working minutes of the whole period (from the calendar and the working periods, as
    `worktime` reads them) are listed once as epoch minutes; a deadline `L` working minutes
    after minute `m` is the end of the L-th working minute at or after `m`.
    """

    def __init__(self, first: datetime.date, last: datetime.date) -> None:
        tz = worktime.zone()
        calendar = worktime.Calendar()
        minutes: list[int] = []
        day = first
        while day <= last:
            if calendar.is_workday(day):
                for a, b in worktime.periods():
                    start = int(datetime.datetime.combine(day, a, tzinfo=tz).timestamp()) // 60
                    end = int(datetime.datetime.combine(day, b, tzinfo=tz).timestamp()) // 60
                    minutes.extend(range(start, end))
            day += datetime.timedelta(days=1)
        self.minutes = minutes
        self.day_minutes = int(worktime.hours_per_day() * 60)

    def limits(self, category: CaseCategory) -> tuple[bool, int]:
        """(counted in working time, limit in minutes)."""
        if not category.in_working_time:
            hours = category.time_limit * (
                24 if category.time_unit == CaseCategory.TimeUnit.DAYS else 1
            )
            return False, hours * 60
        if category.time_unit == CaseCategory.TimeUnit.DAYS:
            return True, category.time_limit * self.day_minutes
        return True, category.time_limit * 60

    def after(self, minute: int, working: bool, limit: int) -> int:
        """The deadline, in epoch minutes, of a dispatch at epoch minute `minute`."""
        if not working:
            return minute + limit
        k = bisect.bisect_left(self.minutes, minute) + limit - 1
        if k >= len(self.minutes):
            raise GenerateError(
                "working-time table too short: the calendar has too few working days"
            )
        return self.minutes[k] + 1


# --- Cases --------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=65536)
def _search_key(title: str, point_name: str) -> str:
    """The case's search key, as `Case.save()` would set it (titles repeat: computed once)."""
    return case_search_key(title, point_name, "", "")


CASE_COLUMNS = (
    "id", "client_uuid", "number", "source", "category_id", "point_id", "area_id", "area_path",
    "unit_id", "title", "description", "lat", "lng", "status", "reporter_id", "reporter_name",
    "reporter_phone", "reporter_email", "inspection_id", "checklist_item_id", "deduction",
    "reported_at", "accepted_at", "dispatched_at", "deadline", "rectified_at", "rectified_by_id",
    "verified_at", "verified_by_id", "closed_at", "deferred_at", "deferred_reason",
    "deferred_by_id", "deferred_approver_id", "escalated_at",
    "reporter_address", "public_reply", "is_public", "feed_withdrawn", "search_key",
)  # fmt: skip
EVENT_COLUMNS = ("case_id", "at", "actor_id", "action", "from_status", "to_status", "note", "data")

HOUR = 3600


class Timestamps:
    """Epoch seconds → the text both backends read for a timestamp column (UTC).

    A table of the day's 86,400 clock times and a memo of dates: formatting is the most
    frequent operation of the generator."""

    def __init__(self, postgres: bool) -> None:
        suffix = "+00" if postgres else ""
        self.clock = [
            f"{h:02d}:{m:02d}:{s:02d}{suffix}"
            for h in range(24)
            for m in range(60)
            for s in range(60)
        ]
        self.days: dict[int, str] = {}

    def __call__(self, t: int) -> str:
        day, rem = divmod(t, 86400)
        prefix = self.days.get(day)
        if prefix is None:
            prefix = self.days[day] = datetime.datetime.fromtimestamp(
                day * 86400, datetime.UTC
            ).strftime("%Y-%m-%d ")
        return prefix + self.clock[rem]

    def json(self, t: int) -> str:
        """As DjangoJSONEncoder writes an aware UTC datetime."""
        return self(t)[:19].replace(" ", "T") + "Z"


@dataclass
class Plan:
    """What to generate: N cases over the days `first`..`last` (local dates) up to `now`."""

    cases: int
    first: datetime.date
    last: datetime.date
    now: int  # epoch seconds


class CaseWriter:
    """Formats cases and their events as text rows and writes them in chunks."""

    def __init__(self, world: World, rng: random.Random, plan: Plan) -> None:
        self.world, self.rng, self.plan = world, rng, plan
        self.postgres = connection.vendor == "postgresql"
        self.ts = Timestamps(self.postgres)
        self.deadlines = Deadlines(plan.first, plan.last + datetime.timedelta(days=MARGIN_DAYS))
        categories = {c.code: c for c in CaseCategory.objects.all()}
        self.categories = categories
        self.limits = {code: self.deadlines.limits(c) for code, c in categories.items()}
        self.category_ids = {code: str(c.pk) for code, c in categories.items()}
        self.items: dict[str, list[tuple[int, str, str, str]]] = {}
        for item_id, pc, text, deduction, cc in ChecklistItem.objects.filter(
            is_active=True
        ).values_list("id", "point_category__code", "text", "deduction", "case_category__code"):
            self.items.setdefault(pc, []).append((item_id, text, f"{deduction:.2f}", cc))
        # Repeat problems: a fifth of the points draw most of the cases.
        weights = [8.0 if rng.random() < 0.2 else 1.0 for _p in world.points]
        self.point_cum = list(_accumulate(weights))
        self.stats: dict[str, int] = {}

    # -- rows --

    def rows(
        self, first_id: int, numbers: Callable[[int], str]
    ) -> Iterator[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]]:
        """Yield (case rows, event rows) chunks, cases in the order they were reported."""
        plan, rng = self.plan, self.rng
        days = (plan.last - plan.first).days + 1
        weights = []
        for i in range(days):
            day = plan.first + datetime.timedelta(days=i)
            # Weekends are quieter; the work grows a little over the period.
            weights.append(
                (0.55 if day.weekday() >= 5 else 1.0) * (0.85 + 0.3 * i / max(days - 1, 1))
            )
        total = sum(weights)
        tz = timezone.get_current_timezone()
        uuid_prefix = f"{rng.getrandbits(80):020x}"
        case_id = first_id
        done = 0.0
        assigned = 0
        cases: list[tuple[Any, ...]] = []
        events: list[tuple[Any, ...]] = []
        for i in range(days):
            day = plan.first + datetime.timedelta(days=i)
            done += weights[i]
            n_day = round(plan.cases * done / total) - assigned
            assigned += n_day
            if n_day <= 0:
                continue
            midnight = int(datetime.datetime.combine(day, datetime.time.min, tzinfo=tz).timestamp())
            span = min(86400, plan.now - midnight)
            if span <= 0:
                continue
            times = sorted(midnight + self._time_of_day(span) for _ in range(n_day))
            picks = rng.choices(range(len(self.world.points)), cum_weights=self.point_cum, k=n_day)
            year_of_day = day.year
            for t, p in zip(times, picks, strict=True):
                self._case(
                    case_id,
                    f"{uuid_prefix}{case_id:012x}",
                    numbers(year_of_day),
                    t,
                    self.world.points[p],
                    cases,
                    events,
                )
                case_id += 1
                if len(cases) >= CHUNK:
                    yield cases, events
                    cases, events = [], []
        if cases:
            yield cases, events

    def _time_of_day(self, span: int) -> int:
        """Seconds after midnight: mostly working hours, some evening and night reports."""
        r = self.rng.random()
        if r < 0.8:
            t = int(self.rng.triangular(7.5 * HOUR, 18.5 * HOUR, 10 * HOUR))
        elif r < 0.95:
            t = self.rng.randrange(18 * HOUR, 23 * HOUR)
        else:
            t = self.rng.randrange(0, 86400)
        return t if t < span else self.rng.randrange(span)

    def _case(
        self,
        case_id: int,
        client_uuid: str,
        number: str,
        t: int,
        point: PointRow,
        cases: list[tuple[Any, ...]],
        events: list[tuple[Any, ...]],
    ) -> None:
        """Append one case row and its event rows, as far as the case has got by `now`.

        The hot loop of the generator: plain locals, one random draw per decision."""
        rng, world, ts, now = self.rng, self.world, self.ts, self.plan.now
        rnd = rng.random
        r = rnd() * 100
        source = "referral"
        for name, share in SOURCES:
            if r < share:
                source = name
                break
            r -= share
        grid = world.grids[point.grid]
        street = world.streets[grid.street]
        officer = street.officers[case_id % len(street.officers)]
        inspector = street.inspectors[case_id % len(street.inspectors)]
        at_point: PointRow | None = point
        reporter: int | None = None
        reporter_name = reporter_phone = ""
        item_id: int | None = None
        deduction = "0.00"
        if source == "inspection":
            items = self.items[point.category]
            item_id, text, deduction, category = items[int(rnd() * len(items))]
            notes = data.FAIL_NOTES.get(category) or [text]
            title = f"{point.name}:{notes[int(rnd() * len(notes))]}"
            reporter = inspector
        else:
            category, title = REPORTS[int(rnd() * len(REPORTS))]
            if source == "grid_worker" and world.grid_reporters:
                reporter, g = world.grid_reporters[case_id % len(world.grid_reporters)]
                grid = world.grids[g]
                street = world.streets[grid.street]
                officer = street.officers[case_id % len(street.officers)]
                inspector = street.inspectors[case_id % len(street.inspectors)]
                at_point = None
            elif source == "public":
                reporter_name = PUBLIC_NAMES[case_id % len(PUBLIC_NAMES)]
                reporter_phone = f"13{int(rnd() * 10**9):09d}"
            elif source == "hotline":
                reporter = officer
                reporter_name = PUBLIC_NAMES[case_id % len(PUBLIC_NAMES)]
            else:
                reporter = world.admins[case_id % len(world.admins)]
            if rnd() < 0.4:
                at_point = None
        unit = at_point.unit if at_point is not None else None
        # Whom to dispatch to: the point's unit, else the street's unit for the category.
        dispatch_unit = unit
        if dispatch_unit is None:
            key = DISPATCH_KEY[category]
            if key == "property":
                dispatch_unit = world.property_unit.get(grid.community)
            else:
                ids = street.units.get(key) or street.units.get("cityteam") or []
                dispatch_unit = ids[case_id % len(ids)] if ids else None
        working, limit = self.limits[category]

        sid = str(case_id)
        s_officer, s_inspector = str(officer), str(inspector)
        ev: list[tuple[Any, ...]] = [
            (sid, ts(t), None if reporter is None else str(reporter), "report", "", "reported", "",
             f'{{"source": "{source}"}}')
        ]  # fmt: skip
        add = ev.append
        status = "reported"
        accepted_at = dispatched_at = deadline = rectified_at = verified_at = closed_at = None
        deferred_at = escalated_at = None
        rectified_by = verified_by = deferred_by = deferred_approver = None
        deferred_reason = ""
        # Triage: an inspection's case is taken at once, the others within hours.
        t += 300 + int(rnd() * 1500) if source == "inspection" else 1800 + int(rnd() * 5 * HOUR)
        while t <= now:  # one pass; `break` when the case has got as far as "now"
            if source in ("public", "hotline", "grid_worker") and rnd() < 0.05:
                add((sid, ts(t), s_officer, "reject", "reported", "rejected",
                     REJECT_NOTES[case_id % len(REJECT_NOTES)], "{}"))  # fmt: skip
                status = "rejected"
                break
            accepted_at = t
            add((sid, ts(t), s_officer, "accept", "reported", "accepted", "", "{}"))
            status = "accepted"
            t = (t + int(rnd() * 2 * HOUR)) // 60 * 60 + 60  # dispatches are minute-aligned
            if t > now or dispatch_unit is None:
                break
            deadline = self.deadlines.after(t // 60, working, limit) * 60
            clock = f'{{"unit": {dispatch_unit}, "deadline": "{ts.json(deadline)}"}}'
            add((sid, ts(t), s_officer, "dispatch", "accepted", "dispatched", "", clock))
            dispatched_at = t
            status = "dispatched"
            unit = dispatch_unit
            staff = world.unit_users.get(dispatch_unit)
            rectifier = str(staff if staff is not None else officer)
            fate = rnd()
            if fate < 0.012 and staff is not None:  # the unit asks for a deferral, approved
                t_defer = t + 2 * HOUR + int(rnd() * 46 * HOUR)
                if t_defer > now:
                    break
                deferred_reason = DEFER_NOTES[case_id % len(DEFER_NOTES)]
                add((sid, ts(t_defer), s_officer, "defer", "dispatched", "deferred",
                     deferred_reason, f'{{"requested_by": {staff}}}'))  # fmt: skip
                deferred_at, deferred_by, deferred_approver = t_defer, str(staff), s_officer
                status = "deferred"
                t = (t_defer + 3 * 86400 + int(rnd() * 18 * 86400)) // 60 * 60
                if rnd() < 0.4 or t > now:
                    break
                deadline = self.deadlines.after(t // 60, working, limit) * 60
                clock = f'{{"unit": {dispatch_unit}, "deadline": "{ts.json(deadline)}"}}'
                add((sid, ts(t), s_officer, "resume", "deferred", "dispatched", "", clock))
                dispatched_at, escalated_at = t, None
                status = "dispatched"
            # A few cases stall after their deadline: those of the last weeks are still open
            # and overdue now; older ones were cleared in the end, weeks late (督办 works).
            stuck = fate > 0.985
            if stuck and now - deadline > STALL_DAYS * 86400:
                stuck = False
                t_rect = deadline + 3 * 86400 + int(rnd() * (STALL_DAYS - 3) * 86400)
            elif stuck or rnd() < 0.12:  # late
                t_rect = deadline + HOUR // 2 + int(rnd() * 71 * HOUR)
            else:
                t_rect = 0
            if t_rect:  # `juli escalate` (every 15 minutes) catches it first
                t_escalate = deadline + 60 + int(rnd() * 840)
                if t_escalate <= now and t_escalate < t_rect:
                    add((sid, ts(t_escalate), None, "escalate", "dispatched", "dispatched", "",
                         f'{{"deadline": "{ts.json(deadline)}"}}'))  # fmt: skip
                    escalated_at = t_escalate
            else:
                t_rect = t + int((deadline - t) * (0.1 + 0.85 * rnd()))
            if stuck or t_rect > now:
                break
            sent_back = 0
            while True:
                add((sid, ts(t_rect), rectifier, "rectify", "dispatched", "rectified",
                     RECTIFY_NOTES[case_id % len(RECTIFY_NOTES)], "{}"))  # fmt: skip
                rectified_at, rectified_by = t_rect, rectifier
                status = "rectified"
                t = t_rect + HOUR + int(rnd() * 19 * HOUR)
                if t > now or rnd() >= (0.07 if sent_back == 0 else 0.2):
                    break
                sent_back += 1
                add((sid, ts(t), s_inspector, "send_back", "rectified", "dispatched",
                     SEND_BACK_NOTES[case_id % len(SEND_BACK_NOTES)],
                     f'{{"deadline": "{ts.json(deadline)}", "rectifier": {rectifier}}}'))  # fmt: skip
                rectified_at = rectified_by = None
                status = "dispatched"
                t_rect = t + 2 * HOUR + int(rnd() * 28 * HOUR)
                if t_rect > now:
                    break
            if status != "rectified" or t > now:
                break
            add((sid, ts(t), s_inspector, "verify", "rectified", "verified", "", "{}"))
            verified_at, verified_by = t, s_inspector
            status = "verified"
            t += 600 + int(rnd() * 8 * HOUR)
            if t > now:
                break
            add((sid, ts(t), s_officer, "close", "verified", "closed", "", "{}"))
            closed_at = t
            status = "closed"
            break

        lat = at_point.lat or None if at_point else None
        lng = at_point.lng or None if at_point else None
        cases.append(
            (
                sid, client_uuid, number, source, self.category_ids[category],
                None if at_point is None else str(at_point.id), str(grid.id), grid.path,
                None if unit is None else str(unit), title[:200], "", lat, lng, status,
                None if reporter is None else str(reporter), reporter_name, reporter_phone, "",
                None, None if item_id is None else str(item_id), deduction, ev[0][1],
                None if accepted_at is None else ts(accepted_at),
                None if dispatched_at is None else ts(dispatched_at),
                None if deadline is None else ts(deadline),
                None if rectified_at is None else ts(rectified_at), rectified_by,
                None if verified_at is None else ts(verified_at), verified_by,
                None if closed_at is None else ts(closed_at),
                None if deferred_at is None else ts(deferred_at), deferred_reason,
                deferred_by, deferred_approver,
                None if escalated_at is None else ts(escalated_at),
                "", "", "0", "0",  # no address or public reply, not marked public or withdrawn ("0": both backends)
                _search_key(title[:200], "" if at_point is None else at_point.name),
            )
        )  # fmt: skip
        events.extend(ev)
        self.stats[status] = self.stats.get(status, 0) + 1


def _accumulate(values: list[float]) -> Iterator[float]:
    total = 0.0
    for v in values:
        total += v
        yield total


# --- Writing -----------------------------------------------------------------------------------


def _copy_sql(table: str, columns: tuple[str, ...]) -> str:
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    return f"COPY {connection.ops.quote_name(table)} ({cols}) FROM STDIN"


def _copy_rows(raw: Any, sql: str, rows: list[tuple[Any, ...]]) -> None:
    """COPY text rows (str or None values, no tabs, newlines or backslashes in them)."""
    with raw.cursor() as cur, cur.copy(sql) as copy:
        buf: list[str] = []
        for row in rows:
            buf.append("\t".join(["\\N" if v is None else v for v in row]))
            if len(buf) >= 5000:
                copy.write("\n".join(buf) + "\n")
                buf = []
        if buf:
            copy.write("\n".join(buf) + "\n")


def _insert_rows(table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cur:
        cur.executemany(
            f"INSERT INTO {connection.ops.quote_name(table)} ({cols}) VALUES ({marks})",  # noqa: S608 - names from the models
            rows,
        )


class _ChunkWriter:
    """Writes (cases, events) chunks. On PostgreSQL a background thread COPYs them over the
    same psycopg connection, inside the caller's transaction, so that Python formats the
    next chunk while the server parses this one; the caller must not use the database
    between `start` and `close`. On SQLite it writes in the caller's thread."""

    def __init__(self) -> None:
        self.threaded = connection.vendor == "postgresql"
        self.error: BaseException | None = None
        self.queue: queue.Queue[tuple[list[Any], list[Any]] | None] = queue.Queue(maxsize=2)
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        if not self.threaded:
            return
        connection.ensure_connection()
        raw = connection.connection
        sqls = (
            _copy_sql(Case._meta.db_table, CASE_COLUMNS),
            _copy_sql(CaseEvent._meta.db_table, EVENT_COLUMNS),
        )

        def run() -> None:
            try:
                while (item := self.queue.get()) is not None:
                    _copy_rows(raw, sqls[0], item[0])
                    _copy_rows(raw, sqls[1], item[1])
            except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
                self.error = exc

        self.thread = threading.Thread(target=run, name="juli-generate-copy", daemon=True)
        self.thread.start()

    def put(self, cases: list[Any], events: list[Any]) -> None:
        if not self.threaded:
            _insert_rows(Case._meta.db_table, CASE_COLUMNS, cases)
            _insert_rows(CaseEvent._meta.db_table, EVENT_COLUMNS, events)
            return
        while True:
            if self.error is not None:
                raise self.error
            try:
                self.queue.put((cases, events), timeout=1)
                return
            except queue.Full:
                continue

    def close(self) -> None:
        """Wait for the writes; re-raise the writer's error."""
        if self.thread is None:
            return
        while self.thread.is_alive():
            try:
                self.queue.put(None, timeout=1)
                break
            except queue.Full:
                continue
        self.thread.join()
        self.thread = None
        if self.error is not None:
            raise self.error


def _reserve_case_ids(count: int) -> int:
    """The first of `count` fresh case ids (explicit ids: events must point at them)."""
    table = Case._meta.db_table
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
            cur.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            sequence = cur.fetchone()[0]
            cur.execute(
                # Names from the model and the catalogue, never from input.
                f"SELECT setval(%s, GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}), "  # noqa: S608
                f"(SELECT last_value FROM {sequence})) + %s)",
                [sequence, count],
            )
            return int(cur.fetchone()[0]) - count + 1
        cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608 - the model's table
        return int(cur.fetchone()[0]) + 1


class _Numbers:
    """Case numbers continuing each year's CaseSequence (rows locked until commit)."""

    def __init__(self) -> None:
        self.last: dict[int, int] = {}
        self.start: dict[int, int] = {}

    def prepare(self, years: Iterable[int]) -> None:
        for year in years:
            if year not in self.last:
                sequence, _created = CaseSequence.objects.select_for_update().get_or_create(
                    year=year
                )
                self.last[year] = self.start[year] = sequence.last

    def __call__(self, year: int) -> str:
        if year not in self.last:
            sequence, _created = CaseSequence.objects.select_for_update().get_or_create(year=year)
            self.last[year] = self.start[year] = sequence.last
        self.last[year] += 1
        return f"{year}-{self.last[year]:06d}"

    def save(self) -> None:
        for year, last in self.last.items():
            CaseSequence.objects.filter(year=year).update(last=last)


class _DeferredIndexes:
    """Drop the secondary indexes, unique and foreign-key constraints of tables (PostgreSQL),
    and put them back. Inside the caller's transaction: on failure they come back with the
    rollback."""

    def __init__(self, tables: list[str]) -> None:
        self.tables = tables
        self.saved: list[tuple[str, str, str, str]] = []

    def drop(self) -> None:
        with connection.cursor() as cur:
            # Dropping a foreign key alters the referenced table too, which PostgreSQL refuses
            # while deferred checks of rows written earlier in this transaction are pending.
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in self.tables:
                cur.execute(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = %s::regclass AND contype IN ('u', 'f') ORDER BY contype DESC",
                    [table],
                )
                for name, definition in cur.fetchall():
                    self.saved.append(("constraint", table, name, definition))
                    cur.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
                cur.execute(
                    "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
                    "JOIN pg_class i ON i.oid = x.indexrelid "
                    "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary",
                    [table],
                )
                for name, definition in cur.fetchall():
                    self.saved.append(("index", table, name, definition))
                    cur.execute(f'DROP INDEX "{name}"')

    def restore(self) -> None:
        with connection.cursor() as cur:
            cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for kind, _table, _name, definition in self.saved:
                if kind == "index":
                    cur.execute(definition)
            for kind, table, name, definition in self.saved:
                if kind == "constraint":
                    cur.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
        self.saved = []


# --- Entry point -----------------------------------------------------------------------------


def generate(
    cases: int,
    *,
    district_code: str = DEFAULT_DISTRICT_CODE,
    weeks: int = DEFAULT_WEEKS,
    seed: int = 1,
    append: bool = False,
    shape: Shape = Shape(),
    defer_indexes: bool | None = None,
    rollups: bool = True,
    rollup_days: int | None = None,
    now: datetime.datetime | None = None,
    log: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Build the district `district_code` (unless `append`) and `cases` cases over the last
    `weeks` weeks up to `now`. Refuses (GenerateError) when the district exists and `append`
    is false, or when `append` is true and it does not. Returns counts and timings.

    `rollups`: afterwards rebuild the stats rollups of the district (the daily buckets of the
    last `rollup_days` days, default the whole period, and the open stock):
    bulk rows bypass the event observers that keep them current."""
    if cases < 0 or weeks < 1:
        raise GenerateError("--cases must be ≥ 0 and --weeks ≥ 1.")
    if not (
        district_code.isdigit() and len(district_code) == 12 and district_code.endswith("000000")
    ):
        raise GenerateError(
            "--district-code is a 12-digit district code ending in 000000, such as 310199000000."
        )
    say = log or (lambda _m: None)
    rng = random.Random(seed)
    now = now or timezone.now()
    now_ts = int(now.timestamp())
    today = timezone.localdate(now)
    first = today - datetime.timedelta(days=weeks * 7 - 1)
    postgres = connection.vendor == "postgresql"
    if defer_indexes is None:
        defer_indexes = postgres and cases >= DEFER_INDEXES_FROM
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    with transaction.atomic():
        district = Area.objects.filter(code=district_code).first()
        if district is not None and not append:
            raise GenerateError(
                f"District {district_code} ({district.name}) already exists. Use --append to add "
                "cases to it, or another --district-code."
            )
        if district is None and append:
            raise GenerateError(f"District {district_code} does not exist: nothing to append to.")
        if district is None:
            say("building the district: areas, units, people, posts, logins, points …")
            district = build_world(district_code, rng, since=first, shape=shape)
            rng.seed(f"{seed}:cases")
        else:
            # Appending draws other times than the first run (same seed → same cases again).
            rng.seed(
                f"{seed}:append:{Case.objects.filter(area_path__startswith=district.path).count()}"
            )
        world = load_world(district)
        timings["world_s"] = round(time.perf_counter() - t0, 2)
        plan = Plan(cases=cases, first=first, last=today, now=now_ts)
        writer = CaseWriter(world, rng, plan)
        deferred = (
            _DeferredIndexes([Case._meta.db_table, CaseEvent._meta.db_table])
            if defer_indexes
            else None
        )
        t1 = time.perf_counter()
        first_id = _reserve_case_ids(cases)
        if deferred is not None:
            say("dropping the case tables' secondary indexes and foreign keys …")
            deferred.drop()
        numbers = _Numbers()
        numbers.prepare(range(first.year, today.year + 1))  # no queries once writing starts
        written = n_events = 0
        chunks = _ChunkWriter()
        chunks.start()
        try:
            for case_rows, event_rows in writer.rows(first_id, numbers):
                chunks.put(case_rows, event_rows)
                written += len(case_rows)
                n_events += len(event_rows)
                elapsed = time.perf_counter() - t1
                say(
                    f"  {written:>11,} cases, {n_events:>11,} events  ({written / max(elapsed, 1e-9):,.0f} cases/s)"
                )
        finally:
            chunks.close()
        numbers.save()
        timings["cases_s"] = round(time.perf_counter() - t1, 2)
        if deferred is not None:
            t2 = time.perf_counter()
            say("rebuilding indexes and foreign keys …")
            deferred.restore()
            timings["indexes_s"] = round(time.perf_counter() - t2, 2)
        result: dict[str, Any] = {
            "district": district.code,
            "district_path": district.path,
            "areas": Area.objects.filter(path__startswith=district.path).count(),
            "points": len(world.points),
            "cases": written,
            "events": n_events,
            "first_day": first.isoformat(),
            "last_day": today.isoformat(),
            "statuses": dict(sorted(writer.stats.items())),
        }
        record(
            None,
            "cases.generate",
            district,
            after={k: v for k, v in result.items() if k != "statuses"},
            note="Benchmark fixture written by `juli generate` (bulk: no audit row per record).",
        )
    if postgres:
        t3 = time.perf_counter()
        with connection.cursor() as cur:
            for model in (Case, CaseEvent, Point, Area):
                cur.execute(f"ANALYZE {model._meta.db_table}")
        timings["analyze_s"] = round(time.perf_counter() - t3, 2)
    if rollups:
        t4 = time.perf_counter()
        since = first
        if rollup_days is not None:
            since = max(first, today - datetime.timedelta(days=rollup_days - 1))
        result["rollups"] = refresh_rollups(district, since, today, say)
        timings["rollups_s"] = round(time.perf_counter() - t4, 2)
        if postgres:
            # Fresh statistics for the planner: the bulk rebuild leaves them empty, and
            # the dashboard's plans then sort tens of thousands of rows needlessly.
            with connection.cursor() as cur:
                for table in connection.introspection.table_names(cur):
                    if table.startswith("stats_"):
                        cur.execute(f'ANALYZE "{table}"')
    total = time.perf_counter() - t0
    timings["total_s"] = round(total, 2)
    result["seconds"] = timings
    if timings["cases_s"] > 0:
        result["cases_per_s"] = round(written / (timings["cases_s"] + timings.get("indexes_s", 0)))
        result["rows_per_s"] = round(
            (written + n_events) / (timings["cases_s"] + timings.get("indexes_s", 0))
        )
    return result


def refresh_rollups(
    district: Area, first: datetime.date, last: datetime.date, say: Callable[[str], None]
) -> dict[str, int]:
    """Rebuild the stats rollups of the district for the period (generated rows are written
    in bulk, around the event observers that keep them current)."""
    say("refreshing the stats rollups …")
    return {
        "daily": stats_rollups.refresh(first, last, area=district),
        "open": stats_rollups.refresh_open(area=district),
    }
