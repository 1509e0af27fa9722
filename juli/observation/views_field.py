"""Phone pages of observation visits under /m/observation/: the visits I score (today's and
recent ones, with my sheet's state), the score sheet (five aspects with big steppers), and a
rectification item's evidence. The pages write nothing themselves: their forms go through
the offline outbox (`outbox.py`) to the REST endpoints of `api.py`, which answer a replay
once."""

from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from juli.core import outbox
from juli.orgs.access import scope_of

from .access import (
    access_rectification,
    access_visit,
    can_close,
    scorer_orgs,
    scoring_paths,
    visible_rectifications,
    visible_visits,
)
from .models import ASPECT_MAX, ASPECTS, ObservationVisit, Rectification, ScoreSheet

#: How far back the phone lists visits to score.
RECENT_DAYS = 14


def aspect_labels() -> list[tuple[str, str, str]]:
    """(field, label, hint) of the five aspects: 一听二看三查四谈五评."""
    return [
        ("listen", _("Listen"), _("The secretary's account of the branch's work")),
        ("look", _("Look"), _("The activity rooms, displays and sites shown")),
        ("records", _("Check"), _("The records: minutes, registers, files")),
        ("talk", _("Talk"), _("Talks with members and the people served")),
        ("evaluate", _("Evaluate"), _("Overall: how the branch leads its work")),
    ]


def _phone_messages() -> dict[str, str]:
    return {
        "score_range": _("A score is a whole number from 0 to 20."),
    }


def to_score(user: object) -> list[ObservationVisit]:
    """Visits of the user's scoring branches from RECENT_DAYS ago to today, not yet done."""
    paths = scoring_paths(user)
    if not paths:
        return []
    today = timezone.localdate()
    return list(
        ObservationVisit.objects.filter(
            guests__org_path__in=paths,
            scheduled_on__lte=today,
            scheduled_on__gte=today - datetime.timedelta(days=RECENT_DAYS),
        )
        .select_related("host", "cycle")
        .distinct()
        .order_by("-scheduled_on", "pk")[:30]
    )


@login_required
@require_GET
def field_home(request: HttpRequest) -> HttpResponse:
    if not scope_of(request.user).person_id and not scope_of(request.user).superuser:
        raise Http404
    visits = to_score(request.user)
    mine = set(
        ScoreSheet.objects.filter(
            scorer_id=request.user.pk, visit__in=[v.pk for v in visits]
        ).values_list("visit_id", flat=True)
    )
    for v in visits:
        v.my_done = v.pk in mine  # type: ignore[attr-defined]
    upcoming = list(
        visible_visits(request.user)
        .filter(scheduled_on__gt=timezone.localdate(), status=ObservationVisit.Status.PLANNED)
        .order_by("scheduled_on", "pk")[:5]
    )
    items = [
        r
        for r in visible_rectifications(request.user)
        .filter(status=Rectification.Status.OPEN)
        .order_by("deadline", "pk")[:30]
        if can_close(request.user, r)
    ]
    context = {
        "nav": "field",
        "visits": visits,
        "upcoming": upcoming,
        "items": items,
        "today": timezone.localdate(),
        **outbox.page_context(**_phone_messages()),
    }
    return render(request, "observation/field_home.html", context)


@login_required
@require_GET
def field_score(request: HttpRequest, pk: int) -> HttpResponse:
    visit = access_visit(request.user, pk)
    orgs = scorer_orgs(request.user, visit)
    context = {
        "nav": "field",
        "visit": visit,
        "orgs": orgs,
        "aspects": aspect_labels(),
        "max": ASPECT_MAX,
        "n_aspects": len(ASPECTS),
        "my_sheet": ScoreSheet.objects.filter(visit=visit, scorer_id=request.user.pk).first(),
        **outbox.page_context(**_phone_messages()),
    }
    status = 200 if orgs else 403
    return render(request, "observation/field_score.html", context, status=status)


@login_required
@require_GET
def field_rectification(request: HttpRequest, pk: int) -> HttpResponse:
    item = access_rectification(request.user, pk)
    context = {
        "nav": "field",
        "item": item,
        "overdue": item.is_overdue(),
        "can_close": can_close(request.user, item) and item.status == "open",
        "files": item.files.all(),
        **outbox.page_context(**_phone_messages()),
    }
    return render(request, "observation/field_rectification.html", context)
