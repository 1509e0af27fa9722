"""Every write of the rankings app: settings, computing and publishing a weekly ranking.

`compute_ranking` writes the ranking, all its rows and (when the district publishes
automatically) its publication in ONE transaction: a crash or a kill half-way leaves nothing,
and the next run computes it whole. A ranking is unique per (district, week):

- none yet → it is computed (and published when `auto_publish` is on);
- computed, not published → it is recomputed in place with the current weights (the rows
  are replaced; the same data gives the same rows);
- published → refused with code "already_published": a published ranking, its rows and the
  weights it used never change, whatever happens to the settings afterwards.

`actor=None` is the system (the weekly task, the command line, the demo).
"""

from __future__ import annotations

import datetime
import os
import sys
import time
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from juli.core import audit
from juli.core.types import Actor
from juli.core.workflow import append_event, transition
from juli.core.writes import user_of
from juli.orgs.models import Area

from . import access, scoring
from .models import COMPONENT_KEYS, TRANSITIONS, Ranking, RankingEvent, RankingRow, RankingSettings
from .signals import ranking_published

#: Test-only: seconds to sleep in the middle of the computing transaction, after the first
#: level's rows are written (the kill test SIGKILLs the process then).
PAUSE_ENV = "JULI_TEST_PAUSE_RANKING"


class RankingError(ValidationError):
    """A refused ranking write. Raised before anything is written."""


def _check_manager(actor: Actor, district: Area) -> None:
    if actor is not None and not access.can_manage(actor, district):
        raise PermissionDenied(_("Only the district's administrators change its ranking."))


def _check_district(district: Area) -> None:
    if district.kind != Area.Kind.DISTRICT:
        raise RankingError(_("Rankings are kept per district."), code="not_a_district")


# --- Settings --------------------------------------------------------------------------------


def update_settings(
    actor: Actor,
    district: Area,
    *,
    enabled: bool,
    auto_publish: bool,
    weights: dict[str, Decimal],
) -> RankingSettings:
    """Set the district's switch and weights (creating its settings on first use); audited.

    Weights are 0–100 and at least one is above 0. Saving the same values again changes
    nothing and writes no audit row. Rankings already computed keep the weights they used.
    """
    _check_district(district)
    _check_manager(actor, district)
    if set(weights) != set(COMPONENT_KEYS):
        raise RankingError(_("Give a weight for every component."), code="weights_missing")
    for value in weights.values():
        if not Decimal(0) <= value <= Decimal(100):
            raise RankingError(_("Each weight is between 0 and 100."), code="weight_range")
    if sum(weights.values()) <= 0:
        raise RankingError(_("At least one weight must be above 0."), code="weights_zero")
    with transaction.atomic():
        row = RankingSettings.objects.select_for_update().filter(district=district).first()
        created = row is None
        if row is None:
            row = RankingSettings(district=district)
        before = None if created else audit.snapshot(row)
        fields: dict[str, Any] = {
            "enabled": enabled,
            "auto_publish": auto_publish,
            **{f"weight_{k}": Decimal(v).quantize(Decimal("0.01")) for k, v in weights.items()},
        }
        if not created and all(getattr(row, k) == v for k, v in fields.items()):
            return row
        for name, value in fields.items():
            setattr(row, name, value)
        if not created:
            row.version += 1
        row.updated_at = timezone.now()
        row.updated_by = user_of(actor)
        row.save()
        audit.record(
            actor,
            "ranking_settings.create" if created else "ranking_settings.update",
            row,
            before=before,
            after=audit.snapshot(row),
        )
    return row


def settings_of(district: Area) -> RankingSettings | None:
    return RankingSettings.objects.filter(district=district).first()


# --- Computing and publishing ------------------------------------------------------------------


def _pause_for_tests() -> None:
    seconds = os.environ.get(PAUSE_ENV)
    if seconds:
        sys.stderr.write("ranking: paused mid-transaction\n")
        sys.stderr.flush()
        time.sleep(float(seconds))


def compute_ranking(
    actor: Actor, district: Area, week: str, *, publish: bool | None = None
) -> Ranking:
    """Compute the district's ranking of ISO week `week` ("2026-W47"); see the module text.

    `publish` None follows the district's `auto_publish`. Refusals (codes): `not_a_district`,
    `bad_week`, `week_not_over`, `not_enabled` (switched off or never set up),
    `already_published`, `concurrent` (another process computed it at the same moment).
    """
    _check_district(district)
    _check_manager(actor, district)
    try:
        week_start = scoring.parse_week(week)
    except scoring.WeekError:
        raise RankingError(
            _("“%(week)s” is not a week (write it as 2026-W47)."),
            code="bad_week",
            params={"week": week},
        ) from None
    week = scoring.week_label(week_start)
    _start, end = scoring.week_bounds(week_start)
    if end > timezone.now():
        raise RankingError(_("That week is not over yet."), code="week_not_over")
    try:
        with transaction.atomic():
            conf = RankingSettings.objects.select_for_update().filter(district=district).first()
            if conf is None or not conf.enabled:
                raise RankingError(
                    _("The weekly ranking is switched off for this district."), code="not_enabled"
                )
            ranking = _compute(actor, district, week, week_start, conf)
            if conf.auto_publish if publish is None else publish:
                _publish(actor, ranking, locked=True)
    except IntegrityError:
        raise RankingError(
            _("This week's ranking was being computed at the same moment; look again."),
            code="concurrent",
        ) from None
    return ranking


def _compute(
    actor: Actor, district: Area, week: str, week_start: datetime.date, conf: RankingSettings
) -> Ranking:
    ranking = Ranking.objects.select_for_update().filter(district=district, week=week).first()
    weights = conf.weights()
    snapshot = {k: str(v) for k, v in weights.items()}
    now = timezone.now()
    if ranking is not None and ranking.is_published:
        raise RankingError(
            _("The ranking of %(week)s is published; it is not computed again."),
            code="already_published",
            params={"week": week},
        )
    if ranking is None:
        ranking = Ranking.objects.create(
            district=district,
            week=week,
            week_start=week_start,
            weights=snapshot,
            settings_version=conf.version,
            computed_at=now,
        )
        action, before = "compute", ""
    else:
        ranking.rows.all().delete()
        ranking.weights, ranking.settings_version, ranking.computed_at = (
            snapshot,
            conf.version,
            now,
        )
        ranking.save(update_fields=["weights", "settings_version", "computed_at"])
        action, before = "recompute", ranking.status
    rows = scoring.calculate(district, week_start, weights)
    for index, level in enumerate(RankingRow.Level.values):
        RankingRow.objects.bulk_create(
            [RankingRow(ranking=ranking, **r) for r in rows if r["level"] == level],
            batch_size=500,
        )
        if index == 0:
            _pause_for_tests()
    append_event(
        RankingEvent,
        ranking,
        actor=actor,
        action=action,
        from_status=before,
        to_status=ranking.status,
        at=now,
    )
    audit.record(
        actor,
        f"ranking.{action}",
        ranking,
        after={"week": week, "weights": snapshot, "rows": len(rows)},
    )
    return ranking


def _publish(actor: Actor, ranking: Ranking, *, locked: bool) -> Ranking:
    """computed → published; `locked` when the caller holds the row lock already."""

    def stamp(ranking: Ranking, move: Any, now: datetime.datetime) -> Any:
        ranking.published_at, ranking.published_by = now, user_of(actor)
        return ["published_at", "published_by"], {}

    return transition(
        actor,
        ranking,
        "publish",
        table=TRANSITIONS,
        event_model=RankingEvent,
        error=RankingError,
        message=_("This ranking is already published."),
        queryset=Ranking.objects.select_related("district"),
        locked=locked,
        effects=stamp,
        after_commit=lambda published: ranking_published.send(
            sender=Ranking, ranking=published, actor=user_of(actor)
        ),
    )


def publish_ranking(actor: Actor, ranking: Ranking) -> Ranking:
    """Publish a computed ranking (districts that do not publish automatically).

    Refused with `illegal_state` when it is already published; the signal
    `ranking_published` is sent once, on commit.
    """
    _check_manager(actor, ranking.district)
    return _publish(actor, ranking, locked=False)


def compute_missing(today: datetime.date | None = None) -> list[Ranking]:
    """Compute (and publish per settings) last week's ranking of every district that has
    the ranking on and no ranking of that week yet. Safe to run twice or in parallel."""
    today = today or timezone.localdate()
    week = scoring.week_label(scoring.last_complete_week(today))
    done = []
    districts = Area.objects.filter(
        kind=Area.Kind.DISTRICT, is_active=True, ranking_settings__enabled=True
    ).exclude(rankings__week=week)
    for district in districts.order_by("path"):
        try:
            done.append(compute_ranking(None, district, week))
        except RankingError as error:
            if error.code not in {"already_published", "concurrent", "not_enabled"}:
                raise
    return done
