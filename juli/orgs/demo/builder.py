"""Builds the demo world through the organisation actions, as the system (actor=None).

Every row is written by a function in `juli.orgs.actions`, so the demo has the same audit
trail and tree history as real use. The order of calls is fixed and all randomness comes from
one seeded generator: two builds on empty databases produce the same world.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.db import transaction

from juli.core.models import AuditLog
from juli.orgs import actions
from juli.orgs.models import Area, PartyOrg, Person, Post, TreeChange, Unit, User

from .base import Writer
from .staffing import StaffSteps
from .trees import TreeSteps


class DemoBuilder(TreeSteps, StaffSteps):
    """One build of the demo world. Call `build()` once, on a database without areas or
    organisations."""

    def __init__(self, people: int, stdout: Writer | None = None) -> None:
        super().__init__(people, stdout)

    def build(self) -> dict[str, Any]:
        """Write the world in one transaction; return counts of what exists, and `seconds`."""
        started = time.monotonic()
        # One transaction: a failed build leaves nothing behind, and SQLite commits once.
        with transaction.atomic():
            self.say("Areas: Huangpu and its ten streets, Dapuqiao's grids, Guangminglu …")
            self.build_areas()
            self.say("Units: bureaus, centres, street offices, responsible and member units …")
            self.build_units()
            self.say("Party organisations: Putuo, Anyang, Huangpu and Guangminglu …")
            self.build_orgs()
            self.say("People and posts …")
            self.build_staff()
            self.fill_people()
            self.say("Tree history: a retirement, a move and a merger …")
            self.write_history()
            self.say("Demo logins …")
            self.create_logins()
        counts = counts_now()
        counts["seconds"] = round(time.monotonic() - started, 1)
        return counts

    def create_logins(self) -> None:
        """One account per `DEMO_LOGINS` entry, all with the demo password."""
        from . import DEMO_LOGINS

        password = settings.JULI_DEMO_PASSWORD
        for username, _description in DEMO_LOGINS:
            if username == "platform_admin":
                actions.create_account(
                    None, None, username, password, superuser=True, validate_password=False
                )
            else:
                person = self.logins[username]
                actions.create_account(None, person, username, password, validate_password=False)


def counts_now() -> dict[str, Any]:
    """What exists in the organisation system, by the names `juli demo` prints."""
    return {
        "areas": Area.objects.count(),
        "units": Unit.objects.count(),
        "party_orgs": PartyOrg.objects.count(),
        "active_party_orgs": PartyOrg.objects.filter(status=PartyOrg.Status.ACTIVE).count(),
        "people": Person.objects.count(),
        "posts": Post.objects.count(),
        "accounts": User.objects.count(),
        "tree_changes": TreeChange.objects.count(),
        "audit_rows": AuditLog.objects.count(),
    }
