"""The standing parts of the cases demo: calendar, categories, checklists, units, people, points.

Everything is written through the actions (`juli.cases.actions`, `juli.cases.points`,
`juli.orgs.actions`) as the system (actor=None), on top of the organisation demo.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings

from juli.cases import actions, points
from juli.cases.management.commands.calendar import HOLIDAYS
from juli.cases.models import CaseCategory, ChecklistItem, Point, PointCategory
from juli.orgs import actions as org_actions
from juli.orgs.demo import data as org_data
from juli.orgs.demo.people import PersonFactory
from juli.orgs.models import Area, Person, Post, Unit, User
from juli.orgs.roles import Role

from . import data

#: Posts given by the cases demo start here: before any simulated day.
POSTS_FROM = datetime.date(2024, 3, 1)


@dataclass
class Street:
    """One street of the demo and the people and things its loop needs."""

    key: str  # "DPQ" | "GML"
    area: Area
    officers: list[User] = field(default_factory=list)
    inspectors: list[User] = field(default_factory=list)
    #: Grid workers with accounts, each with the micro-grid they report in.
    grid_reporters: list[tuple[User, Area]] = field(default_factory=list)
    #: Who refers cases from above (None: the system's intake).
    referrer: User | None = None
    units: dict[str, Unit] = field(default_factory=dict)  # by name
    points: list[Point] = field(default_factory=list)
    #: Leaves (micro-grids and building groups) and all areas of the street, by path.
    leaves: list[Area] = field(default_factory=list)
    areas: dict[str, Area] = field(default_factory=dict)

    def community_short(self, area: Area) -> str:
        community = self.areas.get(area.path[: 3 * Area.steplen])
        if community is None:
            return ""
        return community.name.removesuffix("居民区").removesuffix("社区")


@dataclass
class World:
    streets: list[Street]
    case_categories: dict[str, CaseCategory]
    items: dict[int, list[ChecklistItem]]  # point category pk → its items
    #: The users who work for a unit in Juli (unit_staff posts with an account).
    unit_users: dict[int, list[User]]
    #: Accounts this demo created, (username, what it is), for the command to print.
    logins: list[tuple[str, str]]


class WorldSetup:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.factory = PersonFactory(rng)
        # Names and phones already taken by the organisation demo stay taken.
        self.factory.used_names.update(Person.objects.values_list("name", flat=True))
        self.factory.used_phones.update(
            p for p in Person.objects.values_list("phone", flat=True) if p
        )
        self.logins: list[tuple[str, str]] = []
        self.unit_users: dict[int, list[User]] = {}

    def build(self) -> World:
        self.load_calendar()
        case_categories = self.create_categories()
        items = {c.pk: list(c.items.order_by("order", "pk")) for c in PointCategory.objects.all()}
        streets = [
            self.street("DPQ", org_data.DAPUQIAO),
            self.street("GML", org_data.GUANGMINGLU[0]),
        ]
        return World(streets, case_categories, items, self.unit_users, self.logins)

    # --- calendar and categories ---------------------------------------------------------

    def load_calendar(self) -> None:
        """Every year `juli calendar` knows, as that command loads it."""
        for year in sorted(HOLIDAYS):
            for date, kind, name in HOLIDAYS[year]:
                actions.set_calendar_day(None, date, kind, name)

    def create_categories(self) -> dict[str, CaseCategory]:
        case_categories = {}
        for code, name, limit, unit, in_working_time in data.CASE_CATEGORIES:
            case_categories[code] = actions.create_case_category(
                None,
                code=code,
                name=name,
                time_limit=limit,
                time_unit=unit,
                in_working_time=in_working_time,
            )
        for code, (name, every, checklist) in data.POINT_CATEGORIES.items():
            category = actions.create_point_category(
                None, code=code, name=name, frequency_days=every
            )
            for order, (text, deduction, case_code) in enumerate(checklist, start=1):
                actions.create_checklist_item(
                    None,
                    category,
                    text=text,
                    deduction=Decimal(deduction),
                    case_category=case_categories[case_code],
                    order=order,
                )
        return case_categories

    # --- one street ----------------------------------------------------------------------

    def street(self, key: str, name: str) -> Street:
        area = Area.objects.get(name=name, kind=Area.Kind.STREET)
        street = Street(key=key, area=area)
        for a in Area.objects.filter(path__startswith=area.path).order_by("path"):
            street.areas[a.path] = a
            if a.kind in (Area.Kind.MICRO_GRID, Area.Kind.BUILDING_GROUP):
                street.leaves.append(a)
        self.units(street)
        self.people(street)
        self.points(street)
        return street

    def units(self, street: Street) -> None:
        names = {n for names in data.RESPONSIBLE[street.key].values() for n in names}
        names |= {
            n
            for short, n in data.PROPERTY_BY_COMMUNITY.items()
            if any(street.community_short(a) == short for a in street.leaves)
        }
        extra = {n for n, _kind, _c in data.EXTRA_UNITS[street.key]}
        for name, kind, community in data.EXTRA_UNITS[street.key]:
            place = next(
                (a for a in street.areas.values() if a.name.startswith(community)), street.area
            )
            if not community:
                place = street.area
            street.units[name] = org_actions.create_unit(None, name=name, kind=kind, area=place)
        for unit in Unit.objects.filter(name__in=names - extra).order_by("pk"):
            street.units[unit.name] = unit
        for unit in sorted(street.units.values(), key=lambda u: u.pk):
            self.unit_staff(street, unit)

    def unit_staff(self, street: Street, unit: Unit) -> None:
        """Two staff per unit (created when the organisation demo gave none); the first of a
        unit that works in Juli gets an account."""
        staff = [
            p.person
            for p in Post.objects.filter(unit=unit, role=Role.UNIT_STAFF)
            .select_related("person")
            .order_by("pk")
        ]
        for title in ("整改联系人", "工作人员")[len(staff) :]:
            person = self.person(unit=unit, area=street.area)
            org_actions.appoint(
                None, person, Role.UNIT_STAFF, unit=unit, title=title, started_on=POSTS_FROM
            )
            staff.append(person)
        users = list(User.objects.filter(person__in=staff).order_by("pk"))
        if not users and unit.kind in data.UNIT_KINDS_WITH_ACCOUNTS:
            prefix = f"{street.key.lower()}_unit"
            n = 1 + sum(1 for name, _what in self.logins if name.startswith(prefix))
            username = f"{prefix}{n:02d}"
            users = [self.account(staff[0], username, f"{unit.name} 整改联系人")]
        self.unit_users[unit.pk] = users

    def people(self, street: Street) -> None:
        key = street.key.lower()
        officers = self.post_holders(street.area, Role.STREET_OFFICER)
        inspectors = self.post_holders(street.area, Role.INSPECTOR)
        street.officers = self.ensure_accounts(officers, 1, f"{key}_officer", "街道干部")
        street.inspectors = self.ensure_accounts(inspectors, 2, f"{key}_inspector", "督查员")
        grids = [a for a in street.leaves if a.kind == Area.Kind.MICRO_GRID]
        for grid in grids:
            for post in (
                Post.objects.filter(area=grid, role__in=[Role.GRID_WORKER, Role.MOBILE_GRID_WORKER])
                .select_related("person__user")
                .order_by("pk")
            ):
                user = getattr(post.person, "user", None)
                if user is not None:
                    street.grid_reporters.append((user, grid))
        if not street.grid_reporters and grids:
            worker = self.post_holders(grids[0], Role.GRID_WORKER)[0]
            user = self.account(worker, f"{key}_grid_worker", f"{grids[0].name} 网格员")
            street.grid_reporters.append((user, grids[0]))
        admin = Post.objects.filter(
            role=Role.DISTRICT_ADMIN, area__path__in=[street.area.path[: Area.steplen]]
        ).first()
        street.referrer = getattr(admin.person, "user", None) if admin else None

    def post_holders(self, area: Area, role: str) -> list[Person]:
        return [
            p.person
            for p in Post.objects.filter(area=area, role=role)
            .select_related("person")
            .order_by("pk")
        ]

    def ensure_accounts(
        self, people: list[Person], wanted: int, prefix: str, what: str
    ) -> list[User]:
        """The first `wanted` of `people` with accounts: existing ones, then new ones."""
        users: list[User] = []
        for n, person in enumerate(people[:wanted], start=1):
            user = User.objects.filter(person=person).first()
            if user is None:
                name = f"{prefix}{n}" if n > 1 else prefix
                user = self.account(person, name, f"{person.name} {what}")
            users.append(user)
        return users

    def account(self, person: Person, username: str, what: str) -> User:
        self.logins.append((username, what))
        return org_actions.create_account(
            None, person, username, settings.JULI_DEMO_PASSWORD, validate_password=False
        )

    def person(self, *, unit: Unit, area: Area) -> Person:
        gender = self.factory.gender()
        return org_actions.create_person(
            None,
            name=self.factory.name(gender),
            gender=gender,
            birth_year=self.factory.birth_year(24, 55),
            phone=self.factory.phone(),
            political_status=Person.PoliticalStatus.MASSES,
            occupation=Person.Occupation.ENTERPRISE,
            unit=unit,
            area=area,
        )

    # --- points ----------------------------------------------------------------------------

    def points(self, street: Street) -> None:
        categories = {c.code: c for c in PointCategory.objects.all()}
        used: dict[str, int] = {}
        rotation: dict[tuple[str, str], int] = {}
        for n, (code, name, community) in enumerate(data.POINTS[street.key], start=1):
            # Compounds lie in a building group, the rest in a micro-grid, of their community;
            # points of one community take its areas in turn.
            kind = Area.Kind.BUILDING_GROUP if code == "compound" else Area.Kind.MICRO_GRID
            places = [
                a
                for a in street.leaves
                if a.kind == kind and street.community_short(a) == community
            ] or [a for a in street.leaves if street.community_short(a) == community]
            if (community, kind) not in rotation:
                rotation[(community, kind)] = self.rng.randrange(len(places))
            area = places[rotation[(community, kind)] % len(places)]
            rotation[(community, kind)] += 1
            unit = self.responsible_unit(street, code, area, used)
            staff = (
                Post.objects.filter(unit=unit, role=Role.UNIT_STAFF).order_by("pk").first()
                if unit
                else None
            )
            assert area.centre_lat is not None and area.centre_lng is not None
            street.points.append(
                points.create_point(
                    None,
                    code=f"{street.key}-{n:03d}",
                    name=name,
                    area=area,
                    category=categories[code],
                    lat=_jitter(self.rng, area.centre_lat, 0.0006),
                    lng=_jitter(self.rng, area.centre_lng, 0.0007),
                    responsible_unit=unit,
                    responsible_person=staff.person if staff else None,
                    zero_deduction=name in data.ZERO_DEDUCTION,
                )
            )

    def responsible_unit(
        self, street: Street, code: str, area: Area, used: dict[str, int]
    ) -> Unit | None:
        if code == "compound":
            name = data.PROPERTY_BY_COMMUNITY.get(street.community_short(area))
            if name and name in street.units:
                return street.units[name]
            code = "back-street"  # no property company: the street's own teams answer
        names = data.RESPONSIBLE[street.key][code]
        used[code] = used.get(code, -1) + 1
        return street.units[names[used[code] % len(names)]]


def _jitter(rng: random.Random, centre: Decimal, spread: float) -> Decimal:
    value = centre + Decimal(str(round(rng.uniform(-spread, spread), 6)))
    return value.quantize(Decimal("0.000001"))
