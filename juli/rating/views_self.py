"""Pages of the branch's self-assessment (desk and phone widths alike: the secretaries fill
it on their phones).

- `/rating/assessments/<pk>/` (`rating-assessment`): the assessment as the branch sees it,
  grouped by category. Computed rows show the measured figure, its points and the records
  behind it; judged rows take points, a note, linked records (pre-linked ones marked) and
  files. The live total (self score /100 and the stars it would give) is recomputed in the
  page by `static/js/rating_self.js`. The officers save and submit; everyone else who sees
  it reads it. After the review it shows the adjusted points with their reasons, the veto
  findings, the stars, and the history.
- `/rating/my/` (`rating-my`): the assessments of the user's own branch(es), every round.

Every form carries the `version` the page showed: a change made meanwhile answers 409 with
the page reloaded and a message (nothing written). The first visit of an officer while the
assessment is editable pre-links the branch's records (`selfassess.prelink`, once).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from juli.core import records
from juli.orgs.access import require_login_user, scope_of

from . import scoring
from .access import access_assessment, can_self_assess, visible_assessments
from .actions import selfassess as actions
from .actions.rounds import assessment_rows
from .models import Assessment, CriterionScore, ScoreFile


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _row_context(
    rows: list[CriterionScore], field_errors: dict[str, list[str]]
) -> list[dict[str, Any]]:
    """The categories with their rows, each row with its evidence and files."""
    links = records.links_for(rows)
    content_type = ContentType.objects.get_for_model(CriterionScore).pk
    files: dict[int, list[ScoreFile]] = {}
    for f in ScoreFile.objects.filter(score__in=rows).order_by("id"):
        files.setdefault(f.score_id, []).append(f)
    groups: list[dict[str, Any]] = []
    for row in rows:
        category = row.criterion.category
        if not groups or groups[-1]["category"].pk != category.pk:
            groups.append({"category": category, "rows": []})
        linked = links.get((content_type, row.pk), [])
        evidence = []
        for ln in linked:
            evidence.append(
                {
                    "id": ln.link.pk,
                    "line": ln.line or _("(record no longer available)"),
                    "url": ln.url,
                    "kind": ln.kind.label if ln.kind else "",
                    "prelinked": ln.link.added_by_id is None,
                }
            )
        groups[-1]["rows"].append(
            {
                "row": row,
                "computed": row.criterion.method == row.criterion.Method.COMPUTED,
                "evidence": evidence,
                "linked": {f"{ln.kind.key}:{ln.link.record_id}" for ln in linked if ln.kind},
                "files": files.get(row.pk, []),
                "error": " ".join(field_errors.get(f"rows.{row.pk}.points", [])),
                "adjusted": row.review_points is not None and row.review_points != row.self_points,
            }
        )
    return groups


EVENT_LABELS = {
    "prelink": gettext_lazy("Records pre-linked"),
    "submit": gettext_lazy("Submitted for review"),
    "return": gettext_lazy("Returned to the branch"),
    "review": gettext_lazy("Reviewed"),
    "start_publicity": gettext_lazy("Put on public notice"),
    "reopen": gettext_lazy("Taken back from public notice"),
    "publish": gettext_lazy("Published"),
}


def _status_label(value: str) -> str:
    try:
        return str(Assessment.Status(value).label)
    except ValueError:
        return value


def _history(assessment: Assessment) -> list[dict[str, Any]]:
    return [
        {
            "at": e.at,
            "who": (e.actor.get_full_name() or e.actor.username) if e.actor else _("the system"),
            "what": str(EVENT_LABELS.get(e.action, e.action)),
            "move": ""
            if e.from_status == e.to_status
            else f"{_status_label(e.from_status)} → {_status_label(e.to_status)}",
            "note": e.note,
        }
        for e in assessment.events.select_related("actor").order_by("at", "id")
    ]


def _candidates(user: Any, assessment: Assessment) -> list[tuple[str, list[tuple[str, str]]]]:
    return [
        (str(kind.label), [(f"{kind.key}:{r.pk}", kind.describe(r)) for r in rows])
        for kind, rows in actions.linkable(user, assessment)
    ]


def _context(
    request: HttpRequest,
    assessment: Assessment,
    *,
    error: str = "",
    field_errors: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    rows = assessment_rows(assessment)
    editable = actions.is_editable(assessment) and can_self_assess(request.user, assessment)
    standard = assessment.round.standard
    self_total = scoring.total(rows, reviewed=False)
    reviewed = assessment.score is not None or any(r.review_points is not None for r in rows)
    candidates = _candidates(request.user, assessment) if editable else []
    return {
        "nav": "rating",
        "assessment": assessment,
        "round": assessment.round,
        "standard": standard,
        "groups": _row_context(rows, field_errors or {}),
        "editable": editable,
        "self_total": self_total,
        "self_stars": scoring.stars_for(standard, self_total.score),
        "thresholds": [str(t) for t in standard.thresholds],
        "reviewed": reviewed,
        "vetoes": list(assessment.vetoes.select_related("veto")),
        # why it came back, on top of the page, not only in the history
        "returned_because": (
            assessment.events.filter(action="return")
            .order_by("-at", "-pk")
            .values_list("note", flat=True)
            .first()
            if assessment.status == Assessment.Status.RETURNED
            else None
        ),
        "events": _history(assessment),
        "candidates": candidates,
        "error": error,
    }


@login_required
@require_http_methods(["GET", "POST"])
def assessment_page(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = access_assessment(request.user, pk)
    if request.method == "POST":
        return _post(request, assessment)
    editable = can_self_assess(request.user, assessment) and actions.is_editable(assessment)
    if editable and actions.prelink(assessment):
        assessment = access_assessment(request.user, pk)
    return render(request, "rating/self/assessment.html", _context(request, assessment))


def _score_of(assessment: Assessment, value: Any) -> CriterionScore:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    row = CriterionScore.objects.filter(assessment=assessment, pk=pk).first()
    if row is None:
        raise Http404
    return row


def parse_rows(post: Any, assessment: Assessment) -> dict[int, dict[str, str]]:
    """`points-<id>` and `note-<id>` of the judged rows shown in the form."""
    rows: dict[int, dict[str, str]] = {}
    for name in post:
        field, _sep, ident = name.partition("-")
        if field in ("points", "note") and ident.isdigit():
            rows.setdefault(int(ident), {})[field] = post.get(name, "")
    return rows


def _post(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    user = require_login_user(request.user)
    verb = request.POST.get("action", "save")
    version = request.POST.get("version")
    back = reverse("rating-assessment", args=[assessment.pk])
    try:
        if verb in ("save", "submit"):
            actions.save_self(
                user,
                assessment,
                rows=parse_rows(request.POST, assessment),
                summary=request.POST.get("summary", ""),
                version=version,
            )
            if verb == "submit":
                assessment.refresh_from_db()
                actions.submit(user, assessment, version=assessment.version)
                messages.success(request, _("The self-assessment was submitted for review."))
            else:
                messages.success(request, _("The self-assessment was saved."))
        elif verb == "attach":
            actions.add_file(
                user,
                _score_of(assessment, request.POST.get("score")),
                request.FILES.get("file"),
                version=version,
            )
            messages.success(request, _("The file was attached."))
        elif verb == "detach":
            item = ScoreFile.objects.filter(
                score__assessment=assessment, pk=request.POST.get("file") or 0
            ).first()
            if item is None:
                raise Http404
            actions.remove_file(user, item, version=version)
            messages.success(request, _("The file was removed."))
        elif verb == "link":
            kind, _sep, record_id = (request.POST.get("record") or "").partition(":")
            row = _score_of(assessment, request.POST.get("score"))
            record_obj = actions.find_record(user, assessment, kind, record_id)
            actions.link_record(user, row, record_obj, version=version)
            messages.success(request, _("The record was linked."))
        elif verb == "unlink":
            row = _score_of(assessment, request.POST.get("score"))
            actions.unlink_record(user, row, request.POST.get("link"), version=version)
            messages.success(request, _("The record was unlinked."))
        else:
            raise Http404
    except actions.StaleVersion as exc:
        messages.error(request, _error_text(exc))
        fresh = access_assessment(request.user, assessment.pk)
        return render(
            request,
            "rating/self/assessment.html",
            _context(request, fresh, error=_error_text(exc)),
            status=409,
        )
    except ValidationError as exc:
        fresh = access_assessment(request.user, assessment.pk)
        field_errors = exc.message_dict if hasattr(exc, "error_dict") else {}
        return render(
            request,
            "rating/self/assessment.html",
            _context(request, fresh, error=_error_text(exc), field_errors=field_errors),
            status=400,
        )
    return redirect(back)


@login_required
def my_assessments(request: HttpRequest) -> HttpResponse:
    """The assessments of the user's own branches (where they are an officer or a member)."""
    scope = scope_of(request.user)
    own = sorted({g.path for g in scope.grants if g.kind == "org"})
    qs = visible_assessments(request.user).select_related("round", "org")
    qs = qs.filter(org_path__in=own) if not scope.superuser else qs
    rows = list(qs.order_by("-round__year", "org_path", "pk")[:200])
    return render(
        request,
        "rating/self/my.html",
        {"nav": "rating", "assessments": rows, "zero": Decimal(0)},
    )
