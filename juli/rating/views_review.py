"""Pages of the organiser's side of a rating round (desk pages, readable on a phone).

- `/rating/rounds/` (`rating-rounds`): the rounds the user sees; runners open one (the
  organisation from `access.standard_orgs`, a standard issued by it or above).
- `/rating/rounds/<pk>/` (`rating-round`): every branch's progress (status, self score,
  reviewed score, stars, rank) with filters; start the notice / publish / reopen, with the
  reason when not allowed.
- `/rating/assessments/<pk>/review/` (`rating-review`): the reviewer's form: each row with
  the branch's or measured points and their evidence, adjusted points and reason, veto
  items with a reason, a note, the `version` read (a stale one answers 409); the return
  form; on a published rating, the star change form (`rating-star-change`).
- `/rating/rounds/<pk>/publicity/` (`rating-publicity`): the public notice inside the
  round's subtree: branch, score, proposed stars, rank, the notice's dates; an objection
  form per branch while it runs; the objections with their answers (all of them for the
  runners, their own for the others), the answer form for the runners.

Access: out of sight 404 (`access_round`, `access_assessment`), visible but not allowed 403.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from juli.orgs.access import require_login_user
from juli.orgs.models import PartyOrg

from . import scoring
from .access import (
    access_assessment,
    access_round,
    can_object,
    can_review,
    can_run_round,
    runs_rounds,
    standard_orgs,
    visible_rounds,
    visible_standards,
)
from .actions import review as actions
from .actions.rounds import RoundError, assessment_rows, open_round
from .models import Assessment, Objection, RatingRound, RatingStandard, StarChange

STAR_CHOICES = [("", gettext_lazy("Any stars"))] + [(str(n), str(n)) for n in range(6)]


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _status(exc: ValidationError) -> int:
    return 409 if getattr(exc, "code", "") in actions.CONFLICT_CODES else 400


# --- rounds -------------------------------------------------------------------------------------


class OpenRoundForm(forms.Form):
    org: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=PartyOrg.objects.none(), label=gettext_lazy("Organisation")
    )
    standard: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=RatingStandard.objects.none(), label=gettext_lazy("Standard")
    )
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200, required=False)
    self_due = forms.DateField(
        label=gettext_lazy("Self-assessment due"), widget=forms.DateInput(attrs={"type": "date"})
    )
    publicity_days = forms.IntegerField(
        label=gettext_lazy("Public notice (working days)"),
        min_value=1,
        max_value=30,
        initial=5,
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = standard_orgs(user).order_by("path")  # type: ignore[attr-defined]
        self.fields["standard"].queryset = visible_standards(user).order_by("-year", "org_path")  # type: ignore[attr-defined]
        self.fields["year"].initial = timezone.localdate().year


@login_required
@require_http_methods(["GET", "POST"])
def round_list(request: HttpRequest) -> HttpResponse:
    user = require_login_user(request.user)
    can_open = runs_rounds(user)
    form = OpenRoundForm(user, request.POST or None) if can_open else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                round_ = open_round(
                    user,
                    data["org"],
                    data["standard"],
                    year=data["year"],
                    title=data["title"],
                    self_due=data["self_due"],
                    publicity_days=data["publicity_days"],
                )
            except RoundError as exc:
                _add_errors(form, exc)
                status = 400
            else:
                messages.success(
                    request,
                    _("The round is open: every branch's self-assessment waits, pre-filled."),
                )
                return redirect("rating-round", round_.pk)
        else:
            status = 400
    rounds = list(visible_rounds(user).order_by("-year", "org_path", "pk")[:200])
    return render(
        request,
        "rating/rounds/list.html",
        {"nav": "rating-rounds", "rounds": rounds, "form": form},
        status=status,
    )


def _add_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class ProgressFilter(forms.Form):
    status = forms.ChoiceField(
        required=False,
        choices=[("", gettext_lazy("Any status")), *Assessment.Status.choices],
        label=gettext_lazy("Status"),
    )
    stars = forms.ChoiceField(required=False, choices=STAR_CHOICES, label=gettext_lazy("Stars"))
    q = forms.CharField(
        required=False,
        max_length=50,
        label=gettext_lazy("Branch"),
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("Branch name")}),
    )


@login_required
def round_page(request: HttpRequest, pk: int) -> HttpResponse:
    user = require_login_user(request.user)
    round_ = access_round(user, pk)
    runs = can_run_round(user, round_)
    if not runs:
        # A branch sees its own assessment and the notice, not the organisers' table.
        if round_.status == RatingRound.Status.OPEN:
            raise PermissionDenied
        return redirect("rating-publicity", round_.pk)
    filters = ProgressFilter(request.GET or None)
    rows = round_.assessments.select_related("org").order_by("org_path")
    if filters.is_valid():
        f = filters.cleaned_data
        if f["status"]:
            rows = rows.filter(status=f["status"])
        if f["stars"] != "":
            rows = rows.filter(stars=int(f["stars"]))
        if f["q"]:
            rows = rows.filter(org__name__icontains=f["q"])
    counts: dict[str, int] = {}
    for value in round_.assessments.values_list("status", flat=True):
        counts[value] = counts.get(value, 0) + 1
    return render(
        request,
        "rating/rounds/detail.html",
        {
            "nav": "rating-rounds",
            "round": round_,
            "rows": list(rows),
            "filters": filters,
            "counts": [(label, counts.get(value, 0)) for value, label in Assessment.Status.choices],
            "publicity_refusal": actions.publicity_refusal(round_)
            if round_.status == RatingRound.Status.OPEN
            else "",
            "publish_refusal": actions.publish_refusal(round_)
            if round_.status == RatingRound.Status.PUBLICITY
            else "",
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def round_step(request: HttpRequest, pk: int) -> HttpResponse:
    """start_publicity / publish / reopen, from the round page's buttons."""
    user = require_login_user(request.user)
    round_ = access_round(user, pk, write=True)
    step = request.POST.get("step", "")
    try:
        if step == "start_publicity":
            actions.start_publicity(user, round_)
            messages.success(request, _("The public notice has started."))
        elif step == "publish":
            actions.publish(user, round_)
            messages.success(request, _("The round is published; the stars are in force."))
        elif step == "reopen":
            actions.reopen(user, round_, reason=request.POST.get("reason", ""))
            messages.success(request, _("The round is open for review again."))
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return redirect("rating-round", round_.pk)


# --- review ---------------------------------------------------------------------------------


def parse_review(post: Any, rows: list[Any], vetoes: list[Any]) -> dict[str, Any]:
    """The review form as `actions.review` takes it: a row whose points field was left as
    it was shown (blank: no adjustment) and has no reason is not sent."""
    changes: dict[int, dict[str, str]] = {}
    for row in rows:
        points = post.get(f"points-{row.pk}", "").strip()
        reason = post.get(f"reason-{row.pk}", "").strip()
        current = "" if row.review_points is None else str(row.review_points)
        if points != current or reason != row.review_reason:
            changes[row.pk] = {"points": points, "reason": reason}
    findings = [
        {"veto_id": v.pk, "reason": post.get(f"veto-reason-{v.pk}", "")}
        for v in vetoes
        if post.get(f"veto-{v.pk}")
    ]
    return {
        "rows": changes,
        "vetoes": findings,
        "note": post.get("note", ""),
        "version": post.get("version"),
    }


def _review_context(user: Any, assessment: Assessment) -> dict[str, Any]:
    rows = assessment_rows(assessment)
    found = {f.veto_id: f for f in assessment.vetoes.all()}
    vetoes = list(assessment.round.standard.vetoes.all())
    total = scoring.total(rows)
    preview_stars = scoring.stars_for(
        assessment.round.standard, total.score, [v.cap_stars for v in vetoes if v.pk in found]
    )
    for row in rows:
        row.evidence = list(row.files.all())  # type: ignore[attr-defined]
    return {
        "nav": "rating-rounds",
        "assessment": assessment,
        "round": assessment.round,
        "rows": rows,
        "vetoes": [(v, found.get(v.pk)) for v in vetoes],
        "total": total,
        "self_total": scoring.total(rows, reviewed=False),
        "preview_stars": preview_stars,
        "can_review": can_review(user, assessment)
        and assessment.status in (Assessment.Status.SUBMITTED, Assessment.Status.REVIEWED),
        "can_change_stars": can_review(user, assessment)
        and assessment.status == Assessment.Status.PUBLISHED
        and bool(assessment.current_stars),
        "star_changes": list(
            StarChange.objects.filter(assessment=assessment).select_related("veto", "decided_by")
        ),
        "events": list(assessment.events.select_related("actor").order_by("-at", "-pk")[:30]),
        "star_range": range(0, assessment.current_stars or 0),
        "today": timezone.localdate(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def review_page(request: HttpRequest, pk: int) -> HttpResponse:
    user = require_login_user(request.user)
    assessment = access_assessment(user, pk)
    if not can_review(user, assessment):
        raise PermissionDenied
    error, status, posted = "", 200, None
    if request.method == "POST":
        context = _review_context(user, assessment)
        posted = request.POST
        try:
            if request.POST.get("action") == "return":
                actions.return_to_branch(
                    user,
                    assessment,
                    reason=request.POST.get("return_reason", ""),
                    version=request.POST.get("version"),
                )
                messages.success(request, _("The self-assessment went back to the branch."))
            else:
                actions.review(
                    user,
                    assessment,
                    **parse_review(
                        request.POST, context["rows"], [v for v, _f in context["vetoes"]]
                    ),
                )
                messages.success(request, _("The review is saved."))
            return redirect("rating-review", assessment.pk)
        except ValidationError as exc:
            error, status = _error_text(exc), _status(exc)
            assessment = access_assessment(user, pk)
    context = _review_context(user, assessment)
    context.update({"error": error, "posted": posted})
    return render(request, "rating/review/review.html", context, status=status)


@login_required
@require_POST
def star_change(request: HttpRequest, pk: int) -> HttpResponse:
    user = require_login_user(request.user)
    assessment = access_assessment(user, pk)
    if not can_review(user, assessment):
        raise PermissionDenied
    post = request.POST
    decided_on = _date(post.get("decided_on", ""))
    try:
        actions.change_stars(
            user,
            assessment,
            to_stars=post.get("to_stars"),
            reason=post.get("reason", ""),
            decision_ref=post.get("decision_ref", ""),
            decided_on=decided_on,
            veto=_int(post.get("veto")) or None,
        )
        messages.success(request, _("The stars were changed and the decision recorded."))
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return redirect("rating-review", assessment.pk)


def _date(value: str) -> Any:
    """A date as the form field reads it, or None (the action then asks for one)."""
    try:
        return forms.DateField(required=False).clean(value)
    except ValidationError:
        return None


# --- public notice ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def publicity_page(request: HttpRequest, pk: int) -> HttpResponse:
    user = require_login_user(request.user)
    round_ = access_round(user, pk)
    runs = can_run_round(user, round_)
    if round_.status == RatingRound.Status.OPEN and not runs:
        raise Http404
    status, error = 200, ""
    if request.method == "POST":
        try:
            _publicity_post(request, user, round_)
            return redirect("rating-publicity", round_.pk)
        except ValidationError as exc:
            error, status = _error_text(exc), _status(exc)
    rows = list(
        round_.assessments.filter(
            status__in=(Assessment.Status.PUBLICITY, Assessment.Status.PUBLISHED)
        )
        .select_related("org", "round")
        .order_by("rank", "org_path")
    )
    objections = Objection.objects.filter(assessment__round=round_).select_related(
        "assessment__org", "raised_by", "answered_by"
    )
    if not runs:
        objections = objections.filter(raised_by=user)
    for a in rows:
        a.objectable = can_object(user, a) and actions.on_notice(a)  # type: ignore[attr-defined]
    return render(
        request,
        "rating/review/publicity.html",
        {
            "nav": "rating-rounds",
            "round": round_,
            "rows": rows,
            "runs": runs,
            "objections": list(objections.order_by("status", "-raised_at")),
            "error": error,
        },
        status=status,
    )


def _publicity_post(request: HttpRequest, user: Any, round_: RatingRound) -> None:
    if request.POST.get("action") == "answer":
        objection = Objection.objects.filter(
            pk=_int(request.POST.get("objection")), assessment__round=round_
        ).first()
        if objection is None:
            raise Http404
        if not can_run_round(user, round_):
            raise PermissionDenied
        actions.answer_objection(
            user,
            objection,
            status=request.POST.get("status", ""),
            answer=request.POST.get("answer", ""),
        )
        messages.success(request, _("The answer is recorded."))
        return
    assessment = round_.assessments.filter(pk=_int(request.POST.get("assessment"))).first()
    if assessment is None:
        raise Http404
    actions.raise_objection(
        user, access_assessment(user, assessment.pk), text=request.POST.get("text", "")
    )
    messages.success(request, _("Your objection is recorded; the organisers will answer it."))


def _int(value: Any) -> int:
    """An id from the form, or 0 (no row has it)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def review_url(assessment: Assessment) -> str:
    return reverse("rating-review", args=[assessment.pk])
