"""Roles a post can carry, and what each role may do.

A role says *what*; the post's organisation, area or unit says *where* (its subtree).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DISTRICT_ADMIN = "district_admin", _("District administrator")
    STREET_OFFICER = "street_officer", _("Street officer")
    ORG_OFFICER = "org_officer", _("Party-building office officer")
    PARTY_SECRETARY = "party_secretary", _("Party secretary")
    DEPUTY_SECRETARY = "deputy_secretary", _("Deputy secretary")
    COMMITTEE_MEMBER = "committee_member", _("Committee member")
    GROUP_LEADER = "group_leader", _("Party group leader")
    PUBLICITY_OFFICER = "publicity_officer", _("Publicity officer")
    BRANCH_MEMBER = "branch_member", _("Branch member")
    INSPECTOR = "inspector", _("Inspector")
    GRID_LEADER = "grid_leader", _("Grid leader")
    GRID_WORKER = "grid_worker", _("Grid worker")
    MOBILE_GRID_WORKER = "mobile_grid_worker", _("Mobile grid worker")
    UNIT_STAFF = "unit_staff", _("Responsible unit staff")
    ALLIANCE_CONTACT = "alliance_contact", _("Alliance member-unit contact")


#: Desk roles: they read the audit log, see full phone numbers and may use a second factor.
OFFICE_ROLES = frozenset(
    {
        Role.DISTRICT_ADMIN,
        Role.STREET_OFFICER,
        Role.ORG_OFFICER,
        Role.PARTY_SECRETARY,
        Role.DEPUTY_SECRETARY,
    }
)

#: Roles that maintain the organisation and area trees, people and posts in their subtree.
MANAGER_ROLES = frozenset(
    {Role.DISTRICT_ADMIN, Role.STREET_OFFICER, Role.ORG_OFFICER, Role.PARTY_SECRETARY}
)

#: Roles whose work is contacting people: they see full phone numbers in their scope.
PHONE_ROLES = OFFICE_ROLES | {Role.GRID_LEADER, Role.GRID_WORKER, Role.COMMITTEE_MEMBER}

#: Which kind of scope a role's post must have.
AREA_ROLES = frozenset(
    {
        Role.DISTRICT_ADMIN,
        Role.STREET_OFFICER,
        Role.INSPECTOR,
        Role.GRID_LEADER,
        Role.GRID_WORKER,
        Role.MOBILE_GRID_WORKER,
    }
)
UNIT_ROLES = frozenset({Role.UNIT_STAFF, Role.ALLIANCE_CONTACT})
ORG_ROLES = frozenset(set(Role) - AREA_ROLES - UNIT_ROLES)

#: Roles that work in the field on a phone: inspection, reporting, rectification.
FIELD_ROLES = frozenset(
    {
        Role.INSPECTOR,
        Role.GRID_LEADER,
        Role.GRID_WORKER,
        Role.MOBILE_GRID_WORKER,
        Role.UNIT_STAFF,
    }
)
