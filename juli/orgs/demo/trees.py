"""Build steps for the two trees and the units: areas, units, party organisations, and the
history (a retirement, a move, a merger) that the tree-history pages show."""

from __future__ import annotations

import datetime

from juli.orgs import actions
from juli.orgs.models import Area, PartyOrg, Person, Unit

from . import data
from .base import BuilderBase, GridOrg, GridTree


class TreeSteps(BuilderBase):
    # --- territorial tree ------------------------------------------------------------------

    def build_areas(self) -> None:
        name, code, lat, lng = data.HUANGPU
        self.huangpu = self.area(None, name, Area.Kind.DISTRICT, code, lat, lng)
        for name, code, lat, lng, _short in data.HUANGPU_STREETS:
            self.streets[name] = self.area(self.huangpu, name, Area.Kind.STREET, code, lat, lng)
        self.dapuqiao = self.streets[data.DAPUQIAO]
        self.dpq_grid_tree = self._communities(
            self.dapuqiao, data.DAPUQIAO_COMMUNITIES, spread=0.0012, groups=(2, 3)
        )

        name, code, lat, lng = data.HUIMIN
        self.huimin = self.area(None, name, Area.Kind.DISTRICT, code, lat, lng)
        name, code, lat, lng, _short = data.GUANGMINGLU
        self.guangminglu = self.area(self.huimin, name, Area.Kind.STREET, code, lat, lng)
        self.gml_grid_tree = self._communities(
            self.guangminglu, data.GUANGMINGLU_COMMUNITIES, spread=0.0015, groups=(2, 2)
        )

    def _communities(
        self,
        street: Area,
        table: list[data.CommunityRow],
        *,
        spread: float,
        groups: tuple[int, int],
    ) -> GridTree:
        """Communities → micro-grids (community code + 2 digits) → building groups (+ 2 more).

        Building groups are numbered through the community, with gaps, as house numbers are.
        """
        tree: GridTree = {}
        for name, short, suffix, lat, lng, grid_count in table:
            code = street.code[:9] + suffix
            community = self.area(street, name, Area.Kind.COMMUNITY, code, lat, lng)
            self.communities[short] = community
            tree[short] = []
            building_no = 0
            for g in range(1, grid_count + 1):
                grid_name = f"{short}第{data.CHINESE_ORDINALS[g - 1]}微网格"
                grid = self.area(
                    community,
                    grid_name,
                    Area.Kind.MICRO_GRID,
                    f"{community.code}{g:02d}",
                    *self.near(community, spread),
                )
                buildings = []
                for b in range(1, self.rng.randint(*groups) + 1):
                    building_no += self.rng.randint(1, 3)
                    buildings.append(
                        self.area(
                            grid,
                            f"{short}{building_no}号楼组",
                            Area.Kind.BUILDING_GROUP,
                            f"{grid.code}{b:02d}",
                            *self.near(grid, spread / 4),
                        )
                    )
                tree[short].append((grid, buildings))
        return tree

    # --- units --------------------------------------------------------------------------------

    def build_units(self) -> None:
        self.putuo_bureau = self.unit(data.PUTUO_BUREAU, Unit.Kind.BUREAU, code="PTLHSR")
        for i, name in enumerate(data.PUTUO_CENTRES, start=1):
            self.unit(name, Unit.Kind.CENTRE, parent=self.putuo_bureau, code=f"PTLHSR-{i:02d}")

        self.anyang_bureau = self.unit(data.ANYANG_BUREAU, Unit.Kind.BUREAU, code="AYCG")
        for i, (name, kind, _general, _branches) in enumerate(data.ANYANG_TREE):
            if name != data.ANYANG_BUREAU:
                self.unit(name, kind, parent=self.anyang_bureau, code=f"AYCG-{i:02d}")

        self.district_office = self.unit(
            data.HUANGPU_ORG_DEPARTMENT, Unit.Kind.GOVERNMENT, area=self.huangpu, code="HP-ZZB"
        )
        for name, _code, _lat, _lng, short in data.HUANGPU_STREETS:
            self.unit(
                name + "办事处",
                Unit.Kind.STREET_OFFICE,
                area=self.streets[name],
                code=f"HP-{short}",
            )
        for name, kind, community in data.DAPUQIAO_UNITS:
            area = self.communities[community] if community else self.dapuqiao
            self.responsible_units.append((self.unit(name, kind, area=area), self.dapuqiao))
        for name, kind in data.HUANGPU_ALLIANCE_UNITS:
            self.alliance_units.append(self.unit(name, kind, area=self.huangpu))

        self.gml_office = self.unit(
            data.GUANGMINGLU[0] + "办事处",
            Unit.Kind.STREET_OFFICE,
            area=self.guangminglu,
            code="GML-BSC",
        )
        for name, kind, community in data.GUANGMINGLU_UNITS:
            area = self.communities[community] if community else self.guangminglu
            self.responsible_units.append((self.unit(name, kind, area=area), self.guangminglu))

    # --- party trees ---------------------------------------------------------------------------

    def build_orgs(self) -> None:
        self._putuo_orgs()
        self._anyang_orgs()
        self._huangpu_orgs()
        self._guangminglu_orgs()
        self._huangpu_field_branches()

    def _putuo_orgs(self) -> None:
        self.putuo = self.org(
            None,
            data.PUTUO_PARTY_GROUP,
            PartyOrg.Kind.LEADING_GROUP,
            "PT-DZ",
            short_name="局党组",
            unit=self.putuo_bureau,
        )
        for name, short, code, unit in data.PUTUO_BRANCHES:
            branch = self.org(
                self.putuo,
                name,
                PartyOrg.Kind.BRANCH,
                code,
                short_name=short,
                unit=self.units[unit],
            )
            self.putuo_branches.append(branch)
        self.putuo_organ_branch = self.putuo_branches[0]
        for i, name in enumerate(data.PUTUO_GROUPS, start=1):
            self.org(
                self.putuo_organ_branch,
                name,
                PartyOrg.Kind.GROUP,
                f"{self.putuo_organ_branch.code}-G{i}",
                unit=self.putuo_bureau,
            )
        name, short, code = data.PUTUO_RETIRED_BRANCH
        self.putuo_retired = self.org(
            self.putuo,
            name,
            PartyOrg.Kind.BRANCH,
            code,
            short_name=short,
            unit=self.putuo_bureau,
            is_retired_members=True,
        )

    def _anyang_orgs(self) -> None:
        self.anyang = self.org(
            None,
            data.ANYANG_COMMITTEE,
            PartyOrg.Kind.COMMITTEE,
            "AY-JGDW",
            short_name="机关党委",
            unit=self.anyang_bureau,
        )
        branch_no = 0
        for unit_name, _kind, general, branches in data.ANYANG_TREE:
            unit = self.units[unit_name]
            parent = self.anyang
            if general:
                code = f"AY-Z{len(self.anyang_generals) + 1:02d}"
                parent = self.org(
                    self.anyang, general, PartyOrg.Kind.GENERAL_BRANCH, code, unit=unit
                )
                self.anyang_generals.append(parent)
            for name in branches:
                branch_no += 1
                branch = self.org(
                    parent,
                    name,
                    PartyOrg.Kind.BRANCH,
                    f"AY-B{branch_no:02d}",
                    unit=unit,
                    is_retired_members="离退休" in name,
                )
                self.anyang_branches.append(branch)

    def _huangpu_orgs(self) -> None:
        self.huangpu_committee = self.org(
            None,
            data.HUANGPU_COMMITTEE,
            PartyOrg.Kind.COMMITTEE,
            "HP-QW",
            short_name="黄浦区委",
            area=self.huangpu,
            unit=self.district_office,
        )
        for name, _code, _lat, _lng, short in data.HUANGPU_STREETS:
            self.street_committees[name] = self.org(
                self.huangpu_committee,
                name + "党工委",
                PartyOrg.Kind.WORKING_COMMITTEE,
                f"HP-{short}",
                area=self.streets[name],
                unit=self.units[name + "办事处"],
            )
        committee = self.street_committees[data.DAPUQIAO]
        self.dpq_grids, self.dpq_homes = self._grid_orgs(committee, self.dpq_grid_tree, "DPQ")

    def _huangpu_field_branches(self) -> None:
        """Huangpu's branches from every field (data.HUANGPU_FIELD_BRANCHES), built last with
        a fixed founding day so that the rest of the world (its draws, its ids) is unchanged."""
        founded = datetime.date(2010, 7, 1)
        for n, (street, name) in enumerate(data.HUANGPU_FIELD_BRANCHES, start=1):
            # Dapuqiao's working committee keeps its tree level by level on the area tree (the
            # residential areas' general branches, the grids' branches): its field branches
            # report to the district committee.
            inside = street and street != data.DAPUQIAO
            parent = self.street_committees[street] if inside else self.huangpu_committee
            area = self.streets[street] if street else self.huangpu
            self.orgs[name] = actions.create_org(
                None,
                parent,
                name=name,
                kind=PartyOrg.Kind.BRANCH,
                code=f"HP-F{n:03d}",
                founded_on=founded,
                area=area,
            )

    def _guangminglu_orgs(self) -> None:
        name, _code, _lat, _lng, short = data.GUANGMINGLU
        self.gml_committee = self.org(
            None,
            name + "党工委",
            PartyOrg.Kind.WORKING_COMMITTEE,
            f"{short}-DGW",
            area=self.guangminglu,
            unit=self.gml_office,
        )
        self.gml_grids, self.gml_homes = self._grid_orgs(
            self.gml_committee, self.gml_grid_tree, short
        )

    def _grid_orgs(
        self, committee: PartyOrg, tree: GridTree, prefix: str
    ) -> tuple[list[GridOrg], list[GridOrg]]:
        """Residential-area org → micro-grid branches → building-group party groups.

        A residential area with micro-grids gets a general branch (its grids hold branches);
        one without gets a plain branch. Returns the micro-grids with their branches, and the
        building groups with the branch their residents join (the micro-grid's).
        """
        grids: list[GridOrg] = []
        homes: list[GridOrg] = []
        self.community_orgs[prefix] = []
        for c, (short, grid_list) in enumerate(tree.items(), start=1):
            community = self.communities[short]
            kind, suffix = (
                (PartyOrg.Kind.GENERAL_BRANCH, "党总支")
                if grid_list
                else (PartyOrg.Kind.BRANCH, "党支部")
            )
            community_org = self.org(
                committee, community.name + suffix, kind, f"{prefix}-C{c:02d}", area=community
            )
            self.community_orgs[prefix].append((community, community_org))
            for g, (grid, buildings) in enumerate(grid_list, start=1):
                grid_org = self.org(
                    community_org,
                    grid.name + "党支部",
                    PartyOrg.Kind.BRANCH,
                    f"{prefix}-C{c:02d}-G{g}",
                    area=grid,
                )
                grids.append((grid, grid_org))
                for b, building in enumerate(buildings, start=1):
                    group = self.org(
                        grid_org,
                        building.name + "党小组",
                        PartyOrg.Kind.GROUP,
                        f"{prefix}-C{c:02d}-G{g}-L{b}",
                        area=building,
                    )
                    homes.append((building, grid_org))
                    self.groups_of_grid.setdefault(grid.pk, []).append((building, group))
        return grids, homes

    # --- history ----------------------------------------------------------------------------

    def write_history(self) -> None:
        """The tree changes the history pages show: a retirement, a move and a merger."""
        # An organisation with active members cannot be retired: the retired staff's
        # memberships go over to the organ branch first, one audited change each.
        for member in Person.objects.filter(party_org=self.putuo_retired).order_by("pk"):
            actions.update_person(None, member, party_org=self.putuo_organ_branch)
        actions.retire_org(None, self.putuo_retired, note=data.PUTUO_RETIRED_NOTE)

        moved, new_parent = data.ANYANG_MOVED_BRANCH
        actions.move_org(None, self.orgs[moved], self.orgs[new_parent], note=data.ANYANG_MOVED_NOTE)
        source, target = data.ANYANG_MERGED_BRANCHES
        actions.merge_org(None, self.orgs[source], self.orgs[target], note=data.ANYANG_MERGED_NOTE)
