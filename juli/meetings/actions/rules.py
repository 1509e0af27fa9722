"""Writes of meetings: the frequency rules compliance is computed against, and the reminders
sent before a required meeting's period ends.

Who sets rules (`can_set_rules`): the district's rows (no organisation) are the district
administrators'; a row for an organisation's subtree is set from above: by an officer,
secretary or deputy secretary of a strict ancestor, or of the organisation itself when it
is a top organisation. A branch never relaxes its own requirements.

Reminders (`send_reminders`): once a week ahead, never after. The daily job (`tasks.py`)
finds every current period whose last day is at most `REMIND_DAYS - 1` days away and that
is not held enough, and tells that organisation's secretaries and deputies (and a group's
leader) with the event key `meetings-due:<org>:<kind>:<period>`: `notify()` keeps one row
per person and key, so the days after add nothing, and after the last day nothing is sent.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from juli.core.audit import record, snapshot
from juli.core.types import Actor
from juli.core.writes import require
from juli.notify.actions import notify
from juli.notify.text import lazy_format
from juli.orgs.access import scope_of
from juli.orgs.models import PartyOrg, Post
from juli.orgs.roles import Role

from .. import compliance
from ..models import ComplianceRule, MeetingKind
from ..notices import COMPLIANCE_DUE

#: Roles that set the rules of the subtree of the organisation their post is in.
RULE_ROLES = frozenset(
    {Role.DISTRICT_ADMIN, Role.ORG_OFFICER, Role.PARTY_SECRETARY, Role.DEPUTY_SECRETARY}
)
#: Who is reminded of an organisation's due meetings.
REMINDED_ROLES = frozenset({Role.PARTY_SECRETARY, Role.DEPUTY_SECRETARY})
#: A reminder goes out when the period's last day is fewer than this many days away.
REMIND_DAYS = 7

FIELDS = ["period", "times", "is_active"]


class RuleError(ValidationError):
    pass


def _top_level(path: str) -> bool:
    return len(path) == PartyOrg.steplen


def can_set_rules(user: Any, org: PartyOrg | None) -> bool:
    """May `user` set the district's rules (`org` None) or those of `org`'s subtree?"""
    scope = scope_of(user)
    if scope.superuser:
        return True
    if org is None:
        return Role.DISTRICT_ADMIN in scope.roles
    return any(
        org.path.startswith(p) and (org.path != p or _top_level(p))
        for p in (g.path for g in scope.grants if g.kind == "org" and g.role in RULE_ROLES)
    )


def sets_rules(user: Any) -> bool:
    """The rules page (menu and page check), from the cached scope: a district
    administrator, or a rule role on a top organisation."""
    scope = scope_of(user)
    if scope.superuser or Role.DISTRICT_ADMIN in scope.roles:
        return True
    return bool(rule_org_paths(user))


def rule_org_paths(user: Any) -> list[str]:
    """The top organisations whose subtree rules the user sets (the page's choices)."""
    return sorted(
        {
            g.path
            for g in scope_of(user).grants
            if g.kind == "org" and g.role in RULE_ROLES and _top_level(g.path)
        }
    )


def _validate(org_kind: str, meeting_kind: str, period: str, times: int) -> None:
    errors: dict[str, str] = {}
    if org_kind not in PartyOrg.Kind.values:
        errors["org_kind"] = _("Choose a kind of organisation.")
    if meeting_kind not in MeetingKind.values:
        errors["meeting_kind"] = _("Choose a kind of meeting.")
    if period not in ComplianceRule.Period.values:
        errors["period"] = _("Choose a period.")
    if not isinstance(times, int) or not 1 <= times <= 31:
        errors["times"] = _("Times per period must be between 1 and 31.")
    if errors:
        raise RuleError(errors, code="invalid")


def _check_year(year: int) -> None:
    if not 2000 <= year <= 2100:
        raise RuleError({"year": _("Choose a year between 2000 and 2100.")}, code="invalid")


@transaction.atomic
def save_rule(
    actor: Actor,
    year: int,
    *,
    org: PartyOrg | None,
    org_kind: str,
    meeting_kind: str,
    period: str,
    times: int = 1,
    is_active: bool = True,
) -> ComplianceRule:
    """Create or change the rule of `year` for an organisation kind and meeting kind, for the
    district (`org` None) or for `org`'s subtree. Audited `meeting_rule.create` / `.update`."""
    require(actor, can_set_rules(actor, org))
    _check_year(year)
    _validate(org_kind, meeting_kind, period, times)
    rule = (
        ComplianceRule.objects.select_for_update()
        .filter(year=year, org=org, org_kind=org_kind, meeting_kind=meeting_kind)
        .first()
    )
    if rule is None:
        rule = ComplianceRule(
            year=year,
            org=org,
            org_path=org.path if org else "",
            org_kind=org_kind,
            meeting_kind=meeting_kind,
            period=period,
            times=times,
            is_active=is_active,
        )
        rule.save()
        record(actor, "meeting_rule.create", rule, after=snapshot(rule))
        return rule
    before = snapshot(rule)
    rule.period, rule.times, rule.is_active = period, times, is_active
    rule.save(update_fields=FIELDS)
    record(actor, "meeting_rule.update", rule, before=before, after=snapshot(rule))
    return rule


@transaction.atomic
def copy_defaults(actor: Actor, year: int) -> int:
    """Write the rules in force for `year` as the district's rows (the built-in defaults, or
    the previous year's district rows when there are some), where no row exists yet.
    Returns how many rows it wrote; running it again writes none."""
    require(actor, can_set_rules(actor, None))
    _check_year(year)
    previous = list(ComplianceRule.objects.filter(year=year - 1, org__isnull=True))
    source = compliance.RuleBook(year - 1, previous) if previous else compliance.RuleBook(year, [])
    taken = set(
        ComplianceRule.objects.filter(year=year, org__isnull=True).values_list(
            "org_kind", "meeting_kind"
        )
    )
    written = 0
    for rule in source.district_rules():
        if (rule.org_kind, rule.meeting_kind) in taken:
            continue
        row = ComplianceRule.objects.create(
            year=year,
            org=None,
            org_path="",
            org_kind=rule.org_kind,
            meeting_kind=rule.meeting_kind,
            period=rule.period,
            times=rule.times,
            is_active=rule.is_active,
        )
        record(actor, "meeting_rule.create", row, after=snapshot(row), note="copied")
        written += 1
    return written


# --- Reminders ----------------------------------------------------------------------------------


def _recipients(orgs: list[PartyOrg], today: datetime.date) -> dict[int, list[int]]:
    """The users to remind per organisation: its current secretaries and deputies, and a
    group's leader. One query."""
    rows = (
        Post.objects.filter(org__in=orgs, started_on__lte=today, person__user__is_active=True)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
        .filter(Q(role__in=REMINDED_ROLES) | Q(role=Role.GROUP_LEADER, org__kind="group"))
        .values_list("org_id", "person__user__id")
        .distinct()
    )
    out: dict[int, list[int]] = defaultdict(list)
    for org_id, user_id in rows:
        if user_id:
            out[org_id].append(user_id)
    return out


def _title(due: compliance.Due) -> Any:
    return lazy_format(
        gettext_lazy("%(org)s: %(kind)s due by %(day)s (%(held)s of %(required)s held)"),
        org=due.org.name,
        kind=due.kind_label,
        day=due.deadline.isoformat(),
        held=due.figure.held,
        required=due.figure.required,
    )


def event_key(due: compliance.Due) -> str:
    return f"meetings-due:{due.org.pk}:{due.kind}:{due.figure.span.label}"


def send_reminders(today: datetime.date | None = None) -> int:
    """Remind the secretaries of every active organisation whose current period of a
    required kind ends within `REMIND_DAYS` and is not held enough. Returns how many
    reminders were announced (an announcement already made counts again but writes
    nothing: `notify()` keeps one per person and event key)."""
    today = today or timezone.localdate()
    orgs = list(PartyOrg.objects.filter(status=PartyOrg.Status.ACTIVE).order_by("path"))
    due = compliance.pending(orgs, today, REMIND_DAYS)
    if not due:
        return 0
    users = _recipients(sorted({d.org for d in due}, key=lambda o: o.path), today)
    sent = 0
    for d in due:
        recipients = users.get(d.org.pk, [])
        if not recipients:
            continue
        url = reverse("meetings-compliance") + f"?org={d.org.pk}"
        with transaction.atomic():
            notify(
                event_key(d),
                kind=COMPLIANCE_DUE.key,
                title=_title(d),
                text=gettext_lazy("Plan and hold it before the period ends; minutes confirmed."),
                url=url,
                users=recipients,
                org=d.org,
            )
        sent += 1
    return sent


__all__ = [
    "REMIND_DAYS",
    "RULE_ROLES",
    "RuleError",
    "can_set_rules",
    "copy_defaults",
    "event_key",
    "rule_org_paths",
    "save_rule",
    "send_reminders",
    "sets_rules",
]
