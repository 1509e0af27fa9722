"""Build steps for people: the officers, grid workers and unit staff the structure needs,
then residents, members and staff without posts up to the requested number of people."""

from __future__ import annotations

from juli.orgs.models import Area, PartyOrg, Person, Unit
from juli.orgs.roles import Role

from . import data
from .base import PARTY_STATUSES, BuilderBase, GridOrg

Occupation = Person.Occupation
Status = Person.PoliticalStatus

#: How the people beyond the structural ones are spread over the world.
FILL_SHARES: list[tuple[str, float]] = [
    ("dapuqiao_residents", 0.32),
    ("anyang_members", 0.28),
    ("putuo_members", 0.12),
    ("guangminglu_residents", 0.12),
    ("unit_staff", 0.08),
    ("alliance_staff", 0.08),
]

RESIDENT_OCCUPATIONS: list[tuple[str, int]] = [
    (Occupation.RETIRED, 24),
    (Occupation.ENTERPRISE, 22),
    (Occupation.SHOP_OWNER, 6),
    (Occupation.TEACHER, 5),
    (Occupation.MEDICAL, 5),
    (Occupation.VOLUNTEER, 8),
    (Occupation.COURIER, 4),
    (Occupation.DELIVERY_RIDER, 4),
    (Occupation.RIDE_HAILING, 3),
    (Occupation.PUBLIC_INSTITUTION, 6),
    (Occupation.OTHER, 13),
]
RESIDENT_STATUSES: list[tuple[str, int]] = [
    (Status.MEMBER, 22),
    (Status.PROBATIONARY, 2),
    (Status.ACTIVIST, 3),
    (Status.LEAGUE, 6),
    (Status.DEMOCRATIC, 2),
    (Status.NON_PARTY, 2),
    (Status.MASSES, 63),
]
#: Mobile grid workers come from the new kinds of work and from residents (seed 003).
MOBILE_OCCUPATIONS = [
    Occupation.DELIVERY_RIDER,
    Occupation.COURIER,
    Occupation.RIDE_HAILING,
    Occupation.SHOP_OWNER,
    Occupation.VOLUNTEER,
]
#: What the staff of a unit do, by the unit's kind.
STAFF_OCCUPATIONS: dict[str, str] = {
    Unit.Kind.PROPERTY: Occupation.PROPERTY_STAFF,
    Unit.Kind.SANITATION: Occupation.SANITATION,
    Unit.Kind.MARKET: Occupation.SHOP_OWNER,
    Unit.Kind.HOSPITAL: Occupation.MEDICAL,
    Unit.Kind.UNIVERSITY: Occupation.TEACHER,
    Unit.Kind.SOE: Occupation.ENTERPRISE,
    Unit.Kind.BANK: Occupation.ENTERPRISE,
    Unit.Kind.COMPANY: Occupation.ENTERPRISE,
    Unit.Kind.SOCIAL: Occupation.PUBLIC_INSTITUTION,
}


def _weighted(rng_choices: list[tuple[str, int]]) -> tuple[list[str], list[int]]:
    return [value for value, _ in rng_choices], [weight for _, weight in rng_choices]


class StaffSteps(BuilderBase):
    # --- people with posts ----------------------------------------------------------------------

    def build_staff(self) -> None:
        self._putuo_staff()
        self._anyang_staff()
        self._huangpu_staff()
        self._grid_staff(self.dpq_grids, mobile_per_grid=2, cert_prefix="DPQ-YDWGY")
        self._guangminglu_staff()
        self._grid_staff(self.gml_grids, mobile_per_grid=1, cert_prefix="GML-YDWGY")
        self._unit_staff()
        self._huangpu_field_staff()

    def _huangpu_field_staff(self) -> None:
        """A secretary for each of Huangpu's field branches (data.HUANGPU_FIELD_BRANCHES)."""
        words = [
            (("医院", "卫生", "疾病"), Occupation.MEDICAL),
            (("中学", "小学", "教育", "大学", "学院"), Occupation.TEACHER),
            (("居民区",), Occupation.COMMUNITY_WORKER),
            (("快递",), Occupation.COURIER),
            (("外卖",), Occupation.DELIVERY_RIDER),
            (("网约车",), Occupation.RIDE_HAILING),
            (("集团", "公司", "证券", "企业", "商户", "楼宇"), Occupation.ENTERPRISE),
            (("机关", "办公室"), Occupation.CIVIL_SERVANT),
        ]
        for _street, name in data.HUANGPU_FIELD_BRANCHES:
            org = self.orgs[name]
            occupation = next(
                (o for keys, o in words if any(k in name for k in keys)),
                Occupation.PUBLIC_INSTITUTION,
            )
            self.officers(org, occupation=occupation, area=org.area)

    def _putuo_staff(self) -> None:
        civil = Occupation.CIVIL_SERVANT
        self.officers(
            self.putuo,
            occupation=civil,
            deputies=1,
            committee=2,
            unit=self.putuo_bureau,
            login="bureau_secretary",
        )
        for i, branch in enumerate(self.putuo_branches):
            self.officers(
                branch,
                occupation=civil if i == 0 else Occupation.PUBLIC_INSTITUTION,
                committee=2,
                unit=branch.unit,
                login="branch_secretary" if i == 0 else "",
            )
        for name in data.PUTUO_GROUPS:
            leader = self.person(
                status=Status.MEMBER,
                occupation=civil,
                unit=self.putuo_bureau,
                party_org=self.putuo_organ_branch,
            )
            self.appoint(leader, Role.GROUP_LEADER, "党小组组长", org=self.orgs[name])
        # The retired staff's branch had a secretary and members before it was wound up.
        self.officers(self.putuo_retired, occupation=Occupation.RETIRED, unit=self.putuo_bureau)
        for _ in range(5):
            self.person(
                status=Status.MEMBER,
                occupation=Occupation.RETIRED,
                ages=(62, 85),
                unit=self.putuo_bureau,
                party_org=self.putuo_retired,
            )

    def _anyang_staff(self) -> None:
        civil = Occupation.CIVIL_SERVANT
        self.officers(
            self.anyang,
            occupation=civil,
            deputies=1,
            committee=2,
            unit=self.anyang_bureau,
            login="anyang_secretary",
        )
        for general in self.anyang_generals:
            self.officers(general, occupation=civil, deputies=1, unit=general.unit)
        for branch in self.anyang_branches:
            retired = branch.is_retired_members
            occupation = Occupation.RETIRED if retired else Occupation.PUBLIC_INSTITUTION
            self.officers(branch, occupation=occupation, committee=1, unit=branch.unit)
        lighting = self.orgs[data.ANYANG_LIGHTING_BRANCH]
        self.logins["outsider"] = self.person(
            status=Status.MEMBER,
            occupation=Occupation.PUBLIC_INSTITUTION,
            unit=lighting.unit,
            party_org=lighting,
        )

    def _huangpu_staff(self) -> None:
        civil = Occupation.CIVIL_SERVANT
        admin = self.person(
            status=Status.MEMBER,
            occupation=civil,
            ages=(35, 55),
            unit=self.district_office,
            area=self.huangpu,
        )
        self.appoint(admin, Role.DISTRICT_ADMIN, "区委组织部组织科科长", area=self.huangpu)
        self.logins["district_admin"] = admin
        self.officers(
            self.huangpu_committee, occupation=civil, deputies=1, unit=self.district_office
        )
        officer = self.person(
            status=Status.MEMBER,
            occupation=civil,
            unit=self.district_office,
            party_org=self.huangpu_committee,
        )
        self.appoint(officer, Role.ORG_OFFICER, "区委组织部组织员", org=self.huangpu_committee)

        for name, *_rest in data.HUANGPU_STREETS:
            street, office = self.streets[name], self.units[name + "办事处"]
            is_dpq = name == data.DAPUQIAO
            self.officers(
                self.street_committees[name],
                occupation=civil,
                deputies=1,
                committee=1 if is_dpq else 0,
                unit=office,
                area=street,
            )
            for n in range(2 if is_dpq else 1):
                login = "street_officer" if is_dpq and n == 0 else ""
                person = self.person(
                    status=Status.MEMBER,
                    occupation=civil,
                    name=data.FIXED_NAMES.get(login),
                    unit=office,
                    area=street,
                )
                self.appoint(person, Role.STREET_OFFICER, "党建办干部", area=street)
                if login:
                    self.logins[login] = person
            for n in range(3 if is_dpq else 1):
                status = self.rng.choice([Status.MEMBER, Status.MASSES])
                person = self.person(status=status, occupation=civil, unit=office, area=street)
                self.appoint(person, Role.INSPECTOR, "创城督查员", area=street)
                if is_dpq and n == 0:
                    self.logins["inspector"] = person

        for community, org in self.community_orgs["DPQ"]:
            self.officers(
                org,
                occupation=Occupation.COMMUNITY_WORKER,
                deputies=1,
                committee=1,
                area=community,
            )
        # Seed 003: a delivery rider who is a member serves as a residential area's "second
        # secretary", linking the new kinds of work to the community.
        mengxi, mengxi_org = self.community_orgs["DPQ"][0]
        second = self.person(
            status=Status.MEMBER,
            occupation=Occupation.DELIVERY_RIDER,
            ages=(24, 36),
            area=mengxi,
            party_org=mengxi_org,
        )
        self.appoint(second, Role.COMMITTEE_MEMBER, "第二书记", org=mengxi_org)

    def _guangminglu_staff(self) -> None:
        civil = Occupation.CIVIL_SERVANT
        self.officers(
            self.gml_committee,
            occupation=civil,
            deputies=1,
            committee=1,
            unit=self.gml_office,
            area=self.guangminglu,
        )
        for role, title, count in (
            (Role.STREET_OFFICER, "党建办干部", 2),
            (Role.INSPECTOR, "创城督查员", 3),
        ):
            for n in range(count):
                person = self.person(
                    status=Status.MEMBER,
                    occupation=civil,
                    unit=self.gml_office,
                    area=self.guangminglu,
                )
                self.appoint(person, role, title, area=self.guangminglu)
                if role == Role.INSPECTOR and n == 0:
                    self.logins["guangminglu_inspector"] = person
        for community, org in self.community_orgs["GML"]:
            self.officers(org, occupation=Occupation.COMMUNITY_WORKER, committee=1, area=community)

    def _grid_staff(self, grids: list[GridOrg], *, mobile_per_grid: int, cert_prefix: str) -> None:
        """Per micro-grid: the grid leader (also its branch secretary), a grid worker, mobile
        grid workers with appointment certificates, and a leader for each building group."""
        cert_no = 0
        for i, (grid, grid_org) in enumerate(grids):
            # The demo logins sit in Dapuqiao's first micro-grid (Mengxi's first).
            demo_grid = cert_prefix.startswith("DPQ") and i == 0
            leader = self.person(
                status=Status.MEMBER,
                occupation=Occupation.COMMUNITY_WORKER,
                area=grid,
                party_org=grid_org,
            )
            self.appoint(leader, Role.PARTY_SECRETARY, "微网格党支部书记", org=grid_org)
            self.appoint(leader, Role.GRID_LEADER, "网格长", area=grid)
            worker = self.person(
                status=Status.MEMBER,
                occupation=Occupation.COMMUNITY_WORKER,
                ages=(24, 45),
                area=grid,
                party_org=grid_org,
            )
            self.appoint(worker, Role.GRID_WORKER, "专职网格员", area=grid)
            if demo_grid:
                self.logins["grid_worker"] = worker
            for n in range(mobile_per_grid):
                occupation = self.rng.choice(MOBILE_OCCUPATIONS)
                status = self.rng.choices([Status.MEMBER, Status.MASSES], [1, 2])[0]
                mobile = self.person(status=status, occupation=occupation, ages=(22, 50), area=grid)
                cert_no += 1
                self.appoint(
                    mobile,
                    Role.MOBILE_GRID_WORKER,
                    "移动网格员",
                    area=grid,
                    certificate_no=f"{cert_prefix}-2024-{cert_no:04d}",
                )
                if demo_grid and n == 0:
                    self.logins["mobile_grid_worker"] = mobile
            for building, group in self.groups_of_grid.get(grid.pk, []):
                occupation = self.rng.choice([Occupation.RETIRED, Occupation.VOLUNTEER])
                leader = self.person(
                    status=Status.MEMBER,
                    occupation=occupation,
                    ages=(45, 75),
                    area=building,
                    party_org=grid_org,
                )
                self.appoint(leader, Role.GROUP_LEADER, "楼组党小组组长", org=group)

    def _unit_staff(self) -> None:
        for unit, street in self.responsible_units:
            occupation = STAFF_OCCUPATIONS.get(unit.kind, Occupation.CIVIL_SERVANT)
            for n, title in enumerate(("整改联系人", "工作人员")):
                person = self.person(occupation=occupation, unit=unit, area=street)
                self.appoint(person, Role.UNIT_STAFF, title, unit=unit)
                if unit.name == data.DEMO_PROPERTY_COMPANY and n == 0:
                    self.logins["unit_staff"] = person
        for unit in self.alliance_units:
            occupation = STAFF_OCCUPATIONS.get(unit.kind, Occupation.ENTERPRISE)
            person = self.person(status=Status.MEMBER, occupation=occupation, unit=unit)
            self.appoint(person, Role.ALLIANCE_CONTACT, "联席会议联络员", unit=unit)
            if unit.name == data.DEMO_ALLIANCE_UNIT:
                self.logins["alliance_contact"] = person

    # --- everyone else ----------------------------------------------------------------------

    def fill_people(self) -> None:
        """Residents, members and staff without posts, up to the requested number of people."""
        remaining = max(0, self.target_people - self.people_made)
        counts = [int(remaining * share) for _, share in FILL_SHARES]
        # Rounding leftovers go to the first kind, so the total is exactly the target.
        counts[0] += remaining - sum(counts)
        makers = {
            "dapuqiao_residents": lambda: self._resident(*self.rng.choice(self.dpq_homes)),
            "guangminglu_residents": lambda: self._resident(*self.rng.choice(self.gml_homes)),
            "anyang_members": lambda: self._member(self.rng.choice(self.anyang_branches)),
            "putuo_members": lambda: self._member(self.rng.choice(self.putuo_branches)),
            "unit_staff": lambda: self._staff(*self.rng.choice(self.responsible_units)),
            "alliance_staff": lambda: self._staff(self.rng.choice(self.alliance_units), None),
        }
        for (kind, _share), count in zip(FILL_SHARES, counts, strict=True):
            for _ in range(count):
                makers[kind]()

    def _resident(self, building: Area, grid_org: PartyOrg) -> Person:
        status = self.rng.choices(*_weighted(RESIDENT_STATUSES))[0]
        occupation = self.rng.choices(*_weighted(RESIDENT_OCCUPATIONS))[0]
        ages = (60, 88) if occupation == Occupation.RETIRED else (18, 59)
        if status == Status.LEAGUE:
            ages = (18, 28)
        elif status in PARTY_STATUSES:
            ages = (max(ages[0], 22), ages[1])  # joined at 18 or later, some years ago
        return self.person(
            status=status,
            occupation=occupation,
            ages=ages,
            area=building,
            party_org=grid_org if status in PARTY_STATUSES else None,
        )

    def _member(self, branch: PartyOrg) -> Person:
        if branch.is_retired_members:
            status, occupation, ages = Status.MEMBER, Occupation.RETIRED, (60, 85)
        else:
            status = self.rng.choices([Status.MEMBER, Status.PROBATIONARY], [12, 1])[0]
            occupation = self.rng.choice(
                [Occupation.PUBLIC_INSTITUTION, Occupation.CIVIL_SERVANT, Occupation.SANITATION]
            )
            ages = (23, 59)
        return self.person(
            status=status, occupation=occupation, ages=ages, unit=branch.unit, party_org=branch
        )

    def _staff(self, unit: Unit, street: Area | None) -> Person:
        """Staff of a responsible unit (placed on the street it serves) or a member unit.

        Their party membership, if any, is in their own unit's organisation, outside Juli.
        """
        status = self.rng.choices([Status.MASSES, Status.MEMBER, Status.DEMOCRATIC], [6, 3, 1])[0]
        occupation = STAFF_OCCUPATIONS.get(unit.kind, Occupation.CIVIL_SERVANT)
        return self.person(status=status, occupation=occupation, unit=unit, area=street)
