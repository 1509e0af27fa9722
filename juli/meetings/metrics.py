"""Meetings offer one measured figure to the rating standards (`juli.core.metrics`).

**`meetings.compliance`**: the share of the required periods of 三会一课 and the theme party
day that were held, over the period measured, read from `compliance` (the frequency rules
of the year and confirmed minutes only; never declared).

- The organisation's own rules count, and those of its party groups (党小组会 monthly),
  folded in as the compliance table folds them: a branch with two groups owes each group's
  months too.
- A period of a rule counts when it overlaps the measured period and is owed: it is over
  (done or overdue, judged the day after the measured period's last day, or today if
  earlier), or current and already done. A current period not yet held is not counted
  against the branch. Periods the organisation did not exist for (founded mid-year, retired)
  are not required (`compliance.state_of`).
- share = done / owed; no owed period (an organisation kind with no rules, a branch founded
  after the period) → no figure: the criterion does not apply.

The records behind the figure are the counted meetings (confirmed minutes) of the
organisation and its groups in the period, the latest 30.

Cost: one query for the groups, 3–4 per calendar year the period touches (rules, held
counts, creation dates), one for the meetings listed as sources; whatever the number of
organisations.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from juli.core.metrics import Figure, Metric, Source, register
from juli.orgs.access import prefix_q
from juli.orgs.models import PartyOrg

from . import compliance
from .compliance import Span, State
from .models import Meeting, MeetingKind

#: How many meetings a figure lists as its records.
MAX_SOURCES = 30


def _groups_of(orgs: Sequence[Any]) -> dict[int, list[PartyOrg]]:
    """The party groups directly under each organisation (one query)."""
    by_path = {o.path: o.pk for o in orgs}
    out: dict[int, list[PartyOrg]] = defaultdict(list)
    if not by_path:
        return out
    rows = PartyOrg.objects.filter(
        prefix_q("path", list(by_path)), kind=PartyOrg.Kind.GROUP
    ).order_by("path")
    for group in rows:
        parent = by_path.get(group.path[: -group.steplen])
        if parent is not None:
            out[parent].append(group)
    return out


def _sources(
    members: dict[int, int], start: datetime.date, end: datetime.date
) -> dict[int, list[Source]]:
    """The counted meetings of the period, latest first, per measured organisation (one
    query)."""
    out: dict[int, list[Source]] = defaultdict(list)
    rows = (
        Meeting.objects.filter(
            compliance.counted(),
            org_id__in=list(members),
            starts_at__gte=compliance.local_midnight(start),
            starts_at__lt=compliance.local_midnight(end + datetime.timedelta(days=1)),
        )
        .order_by("-starts_at", "-id")
        .values_list("pk", "org_id", "kind", "title", "starts_at")
    )
    for pk, org_id, kind, title, starts_at in rows:
        owner = members[org_id]
        if len(out[owner]) >= MAX_SOURCES:
            continue
        day = timezone.localdate(starts_at)
        out[owner].append(
            Source(
                label=f"{day:%Y-%m-%d} {title}",
                url=reverse("meetings-detail", args=[pk]),
                record=f"meetings.meeting:{pk}",
                note=str(MeetingKind(kind).label) if kind in MeetingKind.values else "",
            )
        )
    return out


def measure_compliance(
    orgs: Sequence[Any], start: datetime.date, end: datetime.date
) -> dict[int, Figure]:
    orgs = list(orgs)
    if not orgs or end < start:
        return {}
    groups = _groups_of(orgs)
    #: every organisation whose rules count → the measured organisation it counts for
    members: dict[int, int] = {o.pk: o.pk for o in orgs}
    everyone: list[Any] = list(orgs)
    for owner, found in groups.items():
        for group in found:
            members[group.pk] = owner
            everyone.append(group)
    # A period ending on the measured period's last day is over the day after it.
    judged_on = min(timezone.localdate(), end + datetime.timedelta(days=1))
    within = Span(compliance.Period.MONTH, 0, start, end + datetime.timedelta(days=1))
    owed: dict[int, int] = defaultdict(int)
    done: dict[int, int] = defaultdict(int)
    for year in range(start.year, end.year + 1):
        years = compliance.org_years(everyone, year)
        for org in everyone:
            oy = years[org.pk]
            owner = members[org.pk]
            for rule in oy.rules:
                for fig in oy.figures(rule, judged_on, within):
                    if fig.state == State.DONE:
                        owed[owner] += 1
                        done[owner] += 1
                    elif fig.state == State.OVERDUE:
                        owed[owner] += 1
    measured = [o.pk for o in orgs if owed.get(o.pk)]
    if not measured:
        return {}
    sources = _sources({k: v for k, v in members.items() if v in set(measured)}, start, end)
    return {
        pk: Figure(
            share=Decimal(done[pk]) / Decimal(owed[pk]),
            text=_("%(done)s of %(owed)s required periods held")
            % {"done": done[pk], "owed": owed[pk]},
            sources=sources.get(pk, []),
        )
        for pk in measured
    }


register(
    Metric(
        "meetings.compliance",
        gettext_lazy("Meeting compliance"),
        measure_compliance,
        description=gettext_lazy(
            "The share of the periods of the regular meetings and lectures and of the theme "
            "party day required by the frequency rules (its party groups' included) that "
            "were held with confirmed minutes. A period still running counts once it is held; periods before the "
            "branch was founded are not required."
        ),
        order=10,
    )
)

__all__ = ["MAX_SOURCES", "measure_compliance"]
