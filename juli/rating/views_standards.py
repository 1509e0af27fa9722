"""Pages of the rating standards (评星标准).

- `/rating/standards/` (`rating-standards`): the standards the user sees
  (`access.visible_standards`), by year and issuing organisation; "new" and "copy" for
  those who issue standards (`access.standard_orgs`). Anyone signed in opens it (an empty
  list for most); the menu shows it to `access.runs_rounds`.
- `/rating/standards/<pk>/` (`rating-standard`): the standard as the branches read it:
  categories, criteria with points and how each is scored (measured by a metric of
  `core.metrics`, with its description and the share that earns full points; or judged,
  with the evidence expected), veto items with their cap, star thresholds, total points.
  Editors of a draft edit everything in place: each form posts to
  `/rating/standards/<pk>/edit/<part>/[<item>/]` (`rating-standard-edit`), which answers
  the page's body to htmx and a redirect (or the page with the errors, 400) otherwise. A
  standard in use shows why it cannot change and offers a copy.
- `/rating/standards/new/` and `/rating/standards/<pk>/copy/`: year, organisation, title.

Every write is an action of `actions.standards`; its field errors land on the form that
sent them. Outside what one sees: 404; seen but not one's to write: 403.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from juli.core import metrics
from juli.orgs.access import require_login_user

from .access import (
    access_standard,
    can_write_standards,
    runs_rounds,
    standard_orgs,
    visible_standards,
)
from .actions import standards as actions
from .forms_standards import (
    CategoryForm,
    CriterionForm,
    StandardForm,
    ThresholdsForm,
    VetoForm,
    put_errors,
)
from .models import Criterion, RatingStandard, VetoItem

PARTS = ("thresholds", "category", "criterion", "veto")


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


# --- The list -----------------------------------------------------------------------------------


@login_required
@require_GET
def standard_list(request: HttpRequest) -> HttpResponse:
    user = require_login_user(request.user)
    rows = list(
        visible_standards(user)
        .annotate(n_criteria=Count("criteria"), total=Sum("criteria__points"))
        .order_by("-year", "org_path", "title", "id")
    )
    by_year: dict[int, list[RatingStandard]] = defaultdict(list)
    for s in rows:
        s.writable = can_write_standards(user, s.org)  # type: ignore[attr-defined]
        by_year[s.year].append(s)
    this_year = timezone.localdate().year
    have_this_year = {(s.org_id, s.title.replace(str(this_year), "")) for s in by_year[this_year]}
    # Last year's standards the user issues that have no copy this year: "copy last year's".
    to_copy = [
        s
        for s in by_year.get(this_year - 1, [])
        if s.writable  # type: ignore[attr-defined]
        and (s.org_id, s.title.replace(str(this_year - 1), "")) not in have_this_year
    ]
    return render(
        request,
        "rating/standards/list.html",
        {
            "nav": "rating_standards",
            "years": sorted(by_year.items(), reverse=True),
            "can_create": runs_rounds(user),
            "to_copy": to_copy,
            "this_year": this_year,
        },
    )


# --- New and copy -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def standard_new(request: HttpRequest) -> HttpResponse:
    user = require_login_user(request.user)
    orgs = standard_orgs(user)
    if not runs_rounds(user):
        raise Http404
    initial = {"year": timezone.localdate().year}
    form = StandardForm(request.POST or None, orgs=orgs, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            standard = actions.create_standard(
                user,
                data["org"],
                year=data["year"],
                title=data["title"],
                description=data["description"],
            )
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, _("Standard created: add its categories and criteria."))
            return redirect("rating-standard", pk=standard.pk)
    return render(
        request,
        "rating/standards/new.html",
        {"nav": "rating_standards", "form": form, "source": None},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def standard_copy(request: HttpRequest, pk: int) -> HttpResponse:
    user = require_login_user(request.user)
    source = access_standard(user, pk)
    orgs = standard_orgs(user)
    if not runs_rounds(user):
        raise Http404
    year = source.year + 1
    initial = {
        "year": year,
        "org": source.org_id if orgs.filter(pk=source.org_id).exists() else None,
        "title": source.title.replace(str(source.year), str(year)),
        "description": source.description,
    }
    form = StandardForm(request.POST or None, orgs=orgs, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            standard = actions.copy_standard(
                user, source, year=data["year"], org=data["org"], title=data["title"]
            )
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, _("Standard copied: edit it for the new year."))
            return redirect("rating-standard", pk=standard.pk)
    return render(
        request,
        "rating/standards/new.html",
        {"nav": "rating_standards", "form": form, "source": source},
        status=400 if form.errors else 200,
    )


# --- The standard -------------------------------------------------------------------------------


def _metric_info(key: str) -> dict[str, Any]:
    metric = metrics.get(key)
    if metric is None:
        return {
            "label": key,
            "description": _("This measure is no longer available."),
            "known": False,
        }
    return {"label": metric.label, "description": metric.description, "known": True}


def body_context(
    user: Any, standard: RatingStandard, bound: dict[str, forms.Form] | None = None
) -> dict[str, Any]:
    """The standard's categories, criteria, vetoes and (for editors of a draft) the forms,
    a form that failed replaced by its bound copy (`bound[key]`)."""
    bound = bound or {}
    categories = list(standard.categories.order_by("order", "id"))
    criteria = list(standard.criteria.order_by("category__order", "order", "id"))
    vetoes = list(standard.vetoes.order_by("order", "id"))
    editable = not standard.is_frozen and can_write_standards(user, standard.org)
    by_category: dict[int, list[Criterion]] = defaultdict(list)
    for c in criteria:
        c.metric_info = _metric_info(c.metric) if c.metric else None  # type: ignore[attr-defined]
        c.full_percent = (Decimal(c.full_share) * 100).normalize()  # type: ignore[attr-defined]
        if editable:
            c.form = bound.get(f"c{c.pk}") or CriterionForm(  # type: ignore[attr-defined]
                standard=standard, prefix=f"c{c.pk}", initial=CriterionForm.initial_of(c)
            )
        by_category[c.category_id].append(c)
    groups = []
    for cat in categories:
        items = by_category.get(cat.pk, [])
        group: dict[str, Any] = {
            "category": cat,
            "criteria": items,
            "points": sum((Decimal(c.points) for c in items), Decimal(0)),
        }
        if editable:
            group["form"] = bound.get(f"k{cat.pk}") or CategoryForm(
                prefix=f"k{cat.pk}", initial={"name": cat.name}
            )
            group["new_form"] = bound.get(f"new{cat.pk}") or CriterionForm(
                standard=standard,
                prefix=f"new{cat.pk}",
                initial={"category": cat.pk, "method": "judged", "full_share": 100},
            )
        groups.append(group)
    if editable:
        for v in vetoes:
            v.form = bound.get(f"v{v.pk}") or VetoForm(  # type: ignore[attr-defined]
                prefix=f"v{v.pk}",
                initial={"title": v.title, "description": v.description, "cap_stars": v.cap_stars},
            )
    thresholds = [(n, getattr(standard, f"star{n}")) for n in range(1, 6)]
    return {
        "standard": standard,
        "groups": groups,
        "vetoes": vetoes,
        "thresholds": thresholds,
        "total": sum((Decimal(c.points) for c in criteria), Decimal(0)),
        "n_computed": sum(1 for c in criteria if c.method == Criterion.Method.COMPUTED),
        "n_criteria": len(criteria),
        "editable": editable,
        "can_copy": can_write_standards(user, standard.org) or runs_rounds(user),
        "rounds": list(standard.rounds.order_by("-year", "id")) if standard.is_frozen else [],
        "thresholds_form": bound.get("thresholds")
        or ThresholdsForm(prefix="t", initial={f"star{n}": v for n, v in thresholds}),
        "category_form": bound.get("category") or CategoryForm(prefix="newcat"),
        "veto_form": bound.get("veto") or VetoForm(prefix="newveto", initial={"cap_stars": 0}),
        "error": bound.get("error"),
    }


@login_required
@require_GET
def standard_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = require_login_user(request.user)
    standard = access_standard(user, pk)
    context = body_context(user, standard)
    context["nav"] = "rating_standards"
    return render(request, "rating/standards/detail.html", context)


def _edit(
    user: Any, standard: RatingStandard, part: str, item: int | None, post: Any
) -> tuple[str, forms.Form | None]:
    """Run one edit; returns the key of the form it came from and, when it failed, the bound
    form with its errors (None: done). Raises Http404 for an item of another standard."""
    delete = "delete" in post

    def run(key: str, form: forms.Form, call: Any) -> tuple[str, forms.Form | None]:
        if not delete and not form.is_valid():
            return key, form
        try:
            call(form.cleaned_data if not delete else {})
        except ValidationError as exc:
            if getattr(exc, "code", "") == "frozen" or not hasattr(exc, "error_dict"):
                raise
            put_errors(form, exc)
            return key, form
        return key, None

    if part == "thresholds":
        form: forms.Form = ThresholdsForm(post, prefix="t")
        return run(
            "thresholds",
            form,
            lambda d: actions.update_standard(user, standard, thresholds=d),
        )
    if part == "category":
        if item is None:
            form = CategoryForm(post, prefix="newcat")
            return run(
                "category", form, lambda d: actions.add_category(user, standard, name=d["name"])
            )
        category = standard.categories.filter(pk=item).first()
        if category is None:
            raise Http404
        form = CategoryForm(post, prefix=f"k{item}")
        if delete:
            return run(f"k{item}", form, lambda d: actions.delete_category(user, category))
        return run(
            f"k{item}", form, lambda d: actions.update_category(user, category, name=d["name"])
        )
    if part == "criterion":
        if item is None:
            category_pk = post.get("category_pk", "")
            key = f"new{category_pk}" if str(category_pk).isdigit() else "criterion"
            form = CriterionForm(post, standard=standard, prefix=key)
            return run(
                key,
                form,
                lambda d: actions.add_criterion(
                    user,
                    standard,
                    category=d["category"],
                    data=form.action_data(),  # type: ignore[attr-defined]
                ),
            )
        criterion = standard.criteria.filter(pk=item).first()
        if criterion is None:
            raise Http404
        form = CriterionForm(post, standard=standard, prefix=f"c{item}")
        if delete:
            return run(f"c{item}", form, lambda d: actions.delete_criterion(user, criterion))
        return run(
            f"c{item}",
            form,
            lambda d: actions.update_criterion(
                user,
                criterion,
                form.action_data(),
                category=d["category"],  # type: ignore[attr-defined]
            ),
        )
    if part == "veto":
        if item is None:
            form = VetoForm(post, prefix="newveto")
            return run("veto", form, lambda d: actions.add_veto(user, standard, d))
        veto: VetoItem | None = standard.vetoes.filter(pk=item).first()
        if veto is None:
            raise Http404
        form = VetoForm(post, prefix=f"v{item}")
        if delete:
            return run(f"v{item}", form, lambda d: actions.delete_veto(user, veto))
        return run(f"v{item}", form, lambda d: actions.update_veto(user, veto, d))
    raise Http404


@login_required
@require_POST
def standard_edit(
    request: HttpRequest, pk: int, part: str, item: int | None = None
) -> HttpResponse:
    user = require_login_user(request.user)
    if part not in PARTS:
        raise Http404
    standard = access_standard(user, pk, write=True)
    status = 200
    bound: dict[str, Any] = {}
    try:
        key, failed = _edit(user, standard, part, item, request.POST)
    except ValidationError as exc:
        # frozen meanwhile, or a rule without a field: said at the top, nothing written
        bound["error"] = " ".join(exc.messages)
        status = 409 if getattr(exc, "code", "") == "frozen" else 400
    else:
        if failed is not None:
            bound[key] = failed
            status = 400
    standard.refresh_from_db()
    if not _is_htmx(request):
        if status == 200:
            return redirect(reverse("rating-standard", args=[standard.pk]) + f"#{part}")
        context = body_context(user, standard, bound)
        context["nav"] = "rating_standards"
        return render(request, "rating/standards/detail.html", context, status=status)
    # htmx swaps 2xx answers only: errors come back as the body with the messages in it.
    return render(request, "rating/standards/_body.html", body_context(user, standard, bound))
