"""Compliance pages: what the user's organisations owe now, the subtree table with its chart
and Excel export, and the year's rules. Figures come from `compliance` (confirmed minutes
only); scope from `access.compliance_orgs` (a plain member or an outsider: 404)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from juli.core.xlsx import XLSX_TYPE
from juli.orgs.access import one_or_404, prefix_q, require_login_user, scope_of
from juli.orgs.models import PartyOrg

from . import compliance, exports
from .access import COMPLIANCE_ROLES, compliance_orgs, shows_compliance
from .actions import rules as rule_actions
from .models import ComplianceRule

PERIODS = ("month", "quarter", "half", "year")


@dataclass
class Query:
    year: int
    period: str
    index: int
    root: PartyOrg


def int_param(value: Any, default: int, low: int, high: int) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        return default
    return n if low <= n <= high else default


def roots_of(user: Any) -> list[PartyOrg]:
    """The tops of the subtrees whose compliance the user reads."""
    scope = scope_of(user)
    if scope.superuser:
        return list(PartyOrg.objects.filter(depth=1).order_by("path"))
    return list(
        PartyOrg.objects.filter(path__in=scope.paths("org", COMPLIANCE_ROLES)).order_by("path")
    )


def own_orgs(user: Any) -> list[PartyOrg]:
    """The organisations the user holds a compliance post in, and their groups: what the
    "due now" list shows."""
    paths = sorted(
        {g.path for g in scope_of(user).grants if g.kind == "org" and g.role in COMPLIANCE_ROLES}
    )
    if not paths:
        return []
    found = PartyOrg.objects.filter(status=PartyOrg.Status.ACTIVE).filter(
        Q(path__in=paths) | (prefix_q("path", paths) & Q(kind=PartyOrg.Kind.GROUP))
    )
    wanted = set(paths)
    return sorted(
        (o for o in found if o.path in wanted or o.path[: -o.steplen] in wanted),
        key=lambda o: o.path,
    )


def parse(request: HttpRequest, today: datetime.date) -> Query | None:
    """The filters (year, period, which one, subtree root), refused outside the user's
    scope with a 404; None when the user reads no subtree."""
    year = int_param(request.GET.get("year"), today.year, 2000, today.year + 1)
    period = request.GET.get("period") or "quarter"
    if period not in PERIODS:
        period = "quarter"
    default = compliance.default_index(year, period, today)
    index = int_param(request.GET.get("n"), default, 1, 12 // compliance.PERIOD_MONTHS[period])
    if request.GET.get("org"):
        root = one_or_404(compliance_orgs(request.user), request.GET["org"])
    else:
        roots = roots_of(request.user)
        if not roots:
            return None
        root = roots[0]
    return Query(year, period, index, root)


def chart_data(t: compliance.Table) -> dict[str, Any]:
    return {
        "kinds": [str(label) for _k, label in t.kind_labels],
        "required": [x.required for x in t.totals],
        "held": [x.held for x in t.totals],
        "orgs": [r.org.short_name or r.org.name for r in t.rows],
        "rates": [r.rate for r in t.rows],
        "labels": {
            "required": _("Required"),
            "held": _("Held"),
            "rate": _("Attendance rate (%)"),
        },
    }


@login_required
@require_GET
def compliance_page(request: HttpRequest) -> HttpResponse:
    if not shows_compliance(request.user):
        raise Http404
    today = timezone.localdate()
    query = parse(request, today)
    due = compliance.current(own_orgs(request.user), today)
    t = (
        compliance.table(query.root, query.year, query.period, query.index, today)
        if query
        else None
    )
    context = {
        "nav": "meetings-compliance",
        "today": today,
        "due": due,
        "query": query,
        "table": t,
        "roots": roots_of(request.user),
        "periods": [(p, ComplianceRule.Period(p).label) for p in PERIODS],
        "years": list(range(today.year, today.year - 5, -1)),
        "indexes": range(1, 12 // compliance.PERIOD_MONTHS[query.period] + 1) if query else [],
        "chart": chart_data(t) if t and t.rows else None,
        "sets_rules": rule_actions.sets_rules(request.user),
    }
    return render(request, "meetings/compliance_page.html", context)


@login_required
@require_GET
def compliance_xlsx(request: HttpRequest) -> HttpResponse:
    if not shows_compliance(request.user):
        raise Http404
    today = timezone.localdate()
    query = parse(request, today)
    if query is None:
        raise Http404
    t = compliance.table(query.root, query.year, query.period, query.index, today)
    response = HttpResponse(exports.compliance_xlsx(t), content_type=XLSX_TYPE)
    name = f"meetings-compliance-{query.root.code}-{t.window.label}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _rule_orgs(user: Any) -> list[PartyOrg]:
    return list(
        PartyOrg.objects.filter(path__in=rule_actions.rule_org_paths(user)).order_by("path")
    )


def org_rules(user: Any, book: compliance.RuleBook) -> list[tuple[str, compliance.Rule]]:
    """The subtree rows of the year the user may read: those inside their rule subtrees."""
    rows = book.org_rows()
    names = dict(PartyOrg.objects.filter(pk__in={r.org_id for r in rows}).values_list("pk", "name"))
    paths = rule_actions.rule_org_paths(user)
    superuser = scope_of(user).superuser
    return [
        (names.get(r.org_id, ""), r)
        for r in rows
        if superuser or any(r.org_path.startswith(p) for p in paths)
    ]


@login_required
@require_http_methods(["GET", "POST"])
def rules_page(request: HttpRequest) -> HttpResponse:
    if not rule_actions.sets_rules(request.user):
        raise Http404
    today = timezone.localdate()
    source = request.POST if request.method == "POST" else request.GET
    year = int_param(source.get("year"), today.year, 2000, today.year + 1)
    orgs = _rule_orgs(request.user)
    district = rule_actions.can_set_rules(request.user, None)
    status = 200
    if request.method == "POST":
        try:
            if source.get("copy"):
                n = rule_actions.copy_defaults(require_login_user(request.user), year)
                messages.success(request, _("%(n)s rules written for %(y)s.") % {"n": n, "y": year})
            else:
                org = None
                if source.get("org"):
                    org = next((o for o in orgs if str(o.pk) == source["org"]), None)
                    if org is None:
                        raise Http404
                rule_actions.save_rule(
                    require_login_user(request.user),
                    year,
                    org=org,
                    org_kind=source.get("org_kind", ""),
                    meeting_kind=source.get("meeting_kind", ""),
                    period=source.get("period", ""),
                    times=int_param(source.get("times"), 0, 0, 99),
                    is_active=bool(source.get("is_active")),
                )
                messages.success(request, _("The rule is saved."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            status = 400
        else:
            return redirect(f"{request.path}?year={year}")
    book = compliance.RuleBook(year)
    context = {
        "nav": "meetings-compliance",
        "year": year,
        "years": list(range(today.year + 1, today.year - 5, -1)),
        "district_rules": book.district_rules(),
        "org_rules": org_rules(request.user, book),
        "orgs": orgs,
        "district": district,
        "has_rows": ComplianceRule.objects.filter(year=year, org__isnull=True).exists(),
        "org_kinds": PartyOrg.Kind.choices,
        "meeting_kinds": compliance.MeetingKind.choices,
        "rule_periods": ComplianceRule.Period.choices,
    }
    return render(request, "meetings/compliance_rules.html", context, status=status)
