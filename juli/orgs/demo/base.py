"""The state and the small write helpers shared by the steps of a demo build.

Every helper calls one function of `juli.orgs.actions` as the system (actor=None), so the
demo is audited like real use; every random choice is drawn from the one seeded generator.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import Any, Protocol

from juli.orgs import actions
from juli.orgs.models import Area, PartyOrg, Person, Post, Unit
from juli.orgs.roles import Role

from . import data
from .people import PersonFactory

SEED = 20240326  # the day of the Putuo bureau's signing meeting in seed 000

#: Posts start on dates in this window, so the chain of responsibility has a past.
POSTS_FROM = datetime.date(2019, 1, 1)
POSTS_UNTIL = datetime.date(2024, 3, 1)
ORGS_FOUNDED_FROM = datetime.date(1990, 1, 1)
ORGS_FOUNDED_UNTIL = datetime.date(2018, 12, 31)

PARTY_STATUSES = frozenset({Person.PoliticalStatus.MEMBER, Person.PoliticalStatus.PROBATIONARY})

#: A grid with its party branch; a building group with its micro-grid's branch.
GridOrg = tuple[Area, PartyOrg]
#: Per community (by short name): its micro-grids, each with its building groups.
GridTree = dict[str, list[tuple[Area, list[Area]]]]


class Writer(Protocol):
    """Where progress goes: a text stream or a management command's stdout."""

    def write(self, msg: str, /) -> Any: ...


def coord(value: str | Decimal) -> Decimal:
    return Decimal(value).quantize(Decimal("0.000001"))


class BuilderBase:
    """What the build steps share: the generator, handles on built rows, write helpers."""

    def __init__(self, people: int, stdout: Writer | None) -> None:
        self.target_people = people
        self.stdout = stdout
        self.rng = random.Random(SEED)
        self.factory = PersonFactory(self.rng)
        self.people_made = 0
        #: The person behind each demo login (platform_admin has none).
        self.logins: dict[str, Person] = {}
        # Handles on what later steps need, filled as the trees are built.
        self.orgs: dict[str, PartyOrg] = {}  # by name
        self.units: dict[str, Unit] = {}  # by name
        self.streets: dict[str, Area] = {}  # Huangpu's, by name
        self.communities: dict[str, Area] = {}  # by short name, both streets
        self.dpq_grid_tree: GridTree = {}
        self.gml_grid_tree: GridTree = {}
        self.dpq_grids: list[GridOrg] = []
        self.gml_grids: list[GridOrg] = []
        self.dpq_homes: list[GridOrg] = []  # building groups, with the branch residents join
        self.gml_homes: list[GridOrg] = []
        self.groups_of_grid: dict[int, list[GridOrg]] = {}  # grid pk → (building, its group)
        self.community_orgs: dict[str, list[GridOrg]] = {}  # "DPQ"/"GML" → (community, org)
        self.street_committees: dict[str, PartyOrg] = {}
        self.putuo_branches: list[PartyOrg] = []
        self.anyang_generals: list[PartyOrg] = []
        self.anyang_branches: list[PartyOrg] = []
        self.responsible_units: list[tuple[Unit, Area]] = []  # with the street they serve
        self.alliance_units: list[Unit] = []
        # Single rows, set by the tree steps before anyone reads them.
        self.huangpu: Area
        self.dapuqiao: Area
        self.huimin: Area
        self.guangminglu: Area
        self.putuo_bureau: Unit
        self.anyang_bureau: Unit
        self.district_office: Unit
        self.gml_office: Unit
        self.putuo: PartyOrg
        self.putuo_organ_branch: PartyOrg
        self.putuo_retired: PartyOrg
        self.anyang: PartyOrg
        self.huangpu_committee: PartyOrg
        self.gml_committee: PartyOrg

    def say(self, message: str) -> None:
        if self.stdout is not None:
            self.stdout.write(message + "\n")

    # --- one row each -----------------------------------------------------------------------

    def area(
        self, parent: Area | None, name: str, kind: str, code: str, lat: Any, lng: Any
    ) -> Area:
        return actions.create_area(
            None,
            parent,
            name=name,
            kind=kind,
            code=code,
            centre_lat=coord(lat),
            centre_lng=coord(lng),
        )

    def near(self, place: Area, spread: float) -> tuple[Decimal, Decimal]:
        """A point a little way from `place`'s centre: children sit around their parent."""
        assert place.centre_lat is not None and place.centre_lng is not None
        dlat = Decimal(str(round(self.rng.uniform(-spread, spread), 6)))
        dlng = Decimal(str(round(self.rng.uniform(-spread, spread), 6)))
        return coord(place.centre_lat + dlat), coord(place.centre_lng + dlng)

    def unit(self, name: str, kind: str, **extra: Any) -> Unit:
        unit = actions.create_unit(None, name=name, kind=kind, **extra)
        self.units[name] = unit
        return unit

    def org(
        self, parent: PartyOrg | None, name: str, kind: str, code: str, **extra: Any
    ) -> PartyOrg:
        founded = self.factory.date_between(ORGS_FOUNDED_FROM, ORGS_FOUNDED_UNTIL)
        org = actions.create_org(
            None, parent, name=name, kind=kind, code=code, founded_on=founded, **extra
        )
        self.orgs[name] = org
        return org

    def person(
        self,
        *,
        status: str = Person.PoliticalStatus.MASSES,
        occupation: str = Person.Occupation.OTHER,
        ages: tuple[int, int] = (26, 58),
        name: str | None = None,
        unit: Unit | None = None,
        party_org: PartyOrg | None = None,
        area: Area | None = None,
    ) -> Person:
        """One invented person (or one with a name chosen on purpose)."""
        gender = self.factory.gender()
        name = self.factory.reserve(name) if name else self.factory.name(gender)
        birth_year = self.factory.birth_year(*ages)
        joined = None
        if status == Person.PoliticalStatus.MEMBER:
            joined = self.factory.joined_on(birth_year)
        elif status == Person.PoliticalStatus.PROBATIONARY:
            # Probation lasts a year: these joined within the year before the demo's now.
            joined = self.factory.date_between(
                datetime.date(2023, 1, 1), datetime.date(2023, 12, 31)
            )
        self.people_made += 1
        return actions.create_person(
            None,
            name=name,
            gender=gender,
            birth_year=birth_year,
            phone=self.factory.phone(),
            political_status=status,
            occupation=occupation,
            party_joined_on=joined,
            unit=unit,
            party_org=party_org,
            area=area,
        )

    def appoint(self, person: Person, role: str, title: str, **where: Any) -> Post:
        started = self.factory.date_between(POSTS_FROM, POSTS_UNTIL)
        return actions.appoint(None, person, role, title=title, started_on=started, **where)

    def officers(
        self,
        org: PartyOrg,
        *,
        occupation: str,
        deputies: int = 0,
        committee: int = 0,
        unit: Unit | None = None,
        area: Area | None = None,
        login: str = "",
    ) -> Person:
        """Secretary, deputies and committee members of `org`, all of them its members."""
        secretary = self.person(
            status=Person.PoliticalStatus.MEMBER,
            occupation=occupation,
            ages=(38, 58),
            name=data.FIXED_NAMES.get(login),
            unit=unit,
            party_org=org,
            area=area,
        )
        self.appoint(secretary, Role.PARTY_SECRETARY, "书记", org=org)
        if login:
            self.logins[login] = secretary
        titles = [("副书记", Role.DEPUTY_SECRETARY)] * deputies + [
            (title, Role.COMMITTEE_MEMBER) for title in data.COMMITTEE_TITLES[:committee]
        ]
        for title, role in titles:
            member = self.person(
                status=Person.PoliticalStatus.MEMBER,
                occupation=occupation,
                unit=unit,
                party_org=org,
                area=area,
            )
            self.appoint(member, role, title, org=org)
        return secretary
