"""Desk pages of observation visits: the cycles (list, open one), a cycle's plan (swap two
slots), a visit (record it, finish the scoring, feedback, give rectification items), a
rectification item (close with evidence, reopen), the unit-level view (整单位提升) and the
evidence files. Thin: access, a form, one action, render or redirect."""

from __future__ import annotations

import contextlib
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from juli.orgs.access import SignedInRequest

from . import actions, queries
from .access import (
    access_cycle,
    access_evidence_file,
    access_rectification,
    access_visit,
    can_close,
    can_reopen,
    can_run_cycle,
    organiser_orgs,
    runs_cycles,
    scorer_orgs,
    sees_sheets,
    visible_cycles,
    visible_visits,
)
from .forms import (
    CloseForm,
    CycleForm,
    FeedbackForm,
    HoldForm,
    RectificationForm,
    ReopenForm,
    SwapForm,
    put_errors,
)
from .models import ObservationCycle, ObservationVisit, Rectification, ScoreSheet

NAV = "observation"


@login_required
def cycle_list(request: SignedInRequest) -> HttpResponse:
    form = None
    if runs_cycles(request.user):
        form = CycleForm(request.POST or None, orgs=organiser_orgs(request.user))
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                cycle = actions.create_cycle(
                    request.user,
                    data["org"],
                    title=data["title"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    visitors_per_visit=data["visitors_per_visit"],
                )
            except ValidationError as error:
                put_errors(form, error)
            else:
                return redirect("observation-cycle", pk=cycle.pk)
    elif request.method == "POST":
        return HttpResponse(status=403)
    cycles = list(visible_cycles(request.user).order_by("-starts_on", "-pk")[:100])
    context = {"nav": NAV, "cycles": cycles, "form": form}
    return render(request, "observation/cycle_list.html", context)


@login_required
def cycle_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    cycle = access_cycle(request.user, pk)
    can_run = can_run_cycle(request.user, cycle)
    visits = cycle.visits.select_related("host").order_by("sequence")
    seen = set(visible_visits(request.user).filter(cycle=cycle).values_list("pk", flat=True))
    swap_form = None
    if can_run:
        planned = visits.filter(status=ObservationVisit.Status.PLANNED)
        swap_form = SwapForm(request.POST or None, visits=planned)
        if request.method == "POST" and swap_form.is_valid():
            data = swap_form.cleaned_data
            try:
                actions.swap_slots(
                    request.user, data["visit"], data["other"], reason=data["reason"]
                )
            except ValidationError as error:
                put_errors(swap_form, error)
            else:
                return redirect("observation-cycle", pk=cycle.pk)
    elif request.method == "POST":
        return HttpResponse(status=403)
    rows = list(visits.prefetch_related("guests__org"))
    context = {
        "nav": NAV,
        "cycle": cycle,
        "rows": rows,
        "seen": seen,
        "can_run": can_run,
        "swap_form": swap_form,
        "events": queries.history(
            cycle.events.select_related("actor"), dict(ObservationCycle.Status.choices)
        ),
    }
    return render(request, "observation/cycle_detail.html", context)


@login_required
@require_POST
def cycle_close(request: SignedInRequest, pk: int) -> HttpResponse:
    cycle = access_cycle(request.user, pk, write=True)
    with contextlib.suppress(ValidationError):
        actions.close_cycle(request.user, cycle)
    return redirect("observation-cycle", pk=cycle.pk)


@login_required
def cycle_progress(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = access_cycle(request.user, pk)
    context = {
        "nav": NAV,
        "cycle": cycle,
        "p": queries.progress(cycle),
        "can_run": can_run_cycle(request.user, cycle),
        "seen": set(visible_visits(request.user).filter(cycle=cycle).values_list("pk", flat=True)),
    }
    return render(request, "observation/cycle_progress.html", context)


def _visit_context(request: HttpRequest, visit: ObservationVisit, **forms: Any) -> dict[str, Any]:
    can_run = can_run_cycle(request.user, visit.cycle)
    context: dict[str, Any] = {
        "nav": NAV,
        "visit": visit,
        "cycle": visit.cycle,
        "guests": visit.guests.select_related("org"),
        "summary": queries.sheet_summary(visit),
        "can_run": can_run,
        "can_score": bool(scorer_orgs(request.user, visit)) and visit.scoring_open,
        "my_sheet": ScoreSheet.objects.filter(visit=visit, scorer_id=request.user.pk).first(),
        "sheets": (
            visit.score_sheets.select_related("visitor_org", "person")
            if sees_sheets(request.user, visit)
            else None
        ),
        "rectifications": visit.rectifications.select_related("owner"),
        "events": queries.history(
            visit.events.select_related("actor"), dict(ObservationVisit.Status.choices)
        ),
        "today": timezone.localdate(),
    }
    if can_run:
        context["hold_form"] = forms.get("hold_form") or HoldForm(initial={"shown": visit.shown})
        context["feedback_form"] = forms.get("feedback_form") or FeedbackForm()
        context["rect_form"] = forms.get("rect_form") or RectificationForm(
            people=actions.host_people(visit)
        )
    context.update(forms)
    return context


@login_required
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = access_visit(request.user, pk)
    return render(request, "observation/visit_detail.html", _visit_context(request, visit))


#: The visit page's forms by the action they post.
VISIT_FORMS = {"hold": "hold_form", "close": "feedback_form", "rectify": "rect_form"}


@login_required
@require_POST
def visit_act(request: SignedInRequest, pk: int) -> HttpResponse:
    """The organiser's steps on a visit: `action` = hold, score, close or rectify."""
    visit = access_visit(request.user, pk, write=True)
    action = request.POST.get("action", "")
    form: Any = None
    try:
        if action == "hold":
            form = HoldForm(request.POST)
            if form.is_valid():
                actions.hold_visit(request.user, visit, shown=form.cleaned_data["shown"])
        elif action == "score":
            actions.finish_scoring(request.user, visit)
        elif action == "close":
            form = FeedbackForm(request.POST)
            if form.is_valid():
                actions.close_visit(request.user, visit, feedback=form.cleaned_data["feedback"])
        elif action == "rectify":
            form = RectificationForm(request.POST, people=actions.host_people(visit))
            if form.is_valid():
                d = form.cleaned_data
                actions.add_rectification(
                    request.user,
                    visit,
                    title=d["title"],
                    detail=d["detail"],
                    owner=d["owner"],
                    deadline=d["deadline"],
                )
        else:
            return HttpResponse(status=400)
    except ValidationError as error:
        if form is None:
            context = _visit_context(request, visit, act_error=" ".join(error.messages))
            return render(request, "observation/visit_detail.html", context, status=400)
        put_errors(form, error)
    if form is not None and form.errors:
        context = _visit_context(request, visit, **{VISIT_FORMS[action]: form})
        return render(request, "observation/visit_detail.html", context, status=400)
    return redirect("observation-visit", pk=visit.pk)


def _rect_context(request: HttpRequest, item: Any, **extra: Any) -> dict[str, Any]:
    return {
        "nav": NAV,
        "item": item,
        "visit": item.visit,
        "files": item.files.all(),
        "events": queries.history(
            item.events.select_related("actor"), dict(Rectification.Status.choices)
        ),
        "can_close": can_close(request.user, item) and item.status == "open",
        "can_reopen": can_reopen(request.user, item) and item.status == "closed",
        "close_form": extra.pop("close_form", None) or CloseForm(),
        "reopen_form": extra.pop("reopen_form", None) or ReopenForm(),
        "overdue": item.is_overdue(),
        **extra,
    }


@login_required
def rectification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = access_rectification(request.user, pk)
    return render(request, "observation/rectification.html", _rect_context(request, item))


@login_required
@require_POST
def rectification_close(request: SignedInRequest, pk: int) -> HttpResponse:
    item = access_rectification(request.user, pk)
    if not can_close(request.user, item):
        return HttpResponse(status=403)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            actions.close_rectification(
                request.user,
                item,
                note=form.cleaned_data["note"],
                files=request.FILES.getlist("files"),
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            return redirect("observation-rectification", pk=item.pk)
    context = _rect_context(request, item, close_form=form)
    return render(request, "observation/rectification.html", context, status=400)


@login_required
@require_POST
def rectification_reopen(request: SignedInRequest, pk: int) -> HttpResponse:
    item = access_rectification(request.user, pk)
    if not can_reopen(request.user, item):
        return HttpResponse(status=403)
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            actions.reopen_rectification(request.user, item, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            put_errors(form, error)
        else:
            return redirect("observation-rectification", pk=item.pk)
    context = _rect_context(request, item, reopen_form=form)
    return render(request, "observation/rectification.html", context, status=400)


@login_required
def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    row = access_evidence_file(request.user, pk)
    return FileResponse(
        row.file.open("rb"), as_attachment=False, filename=row.name, content_type=row.content_type
    )
