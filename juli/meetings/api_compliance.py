"""REST endpoints of the meetings app: compliance (included by api_urls.py).

| endpoint | what |
|---|---|
| `GET meetings/compliance/?org=&year=&period=&n=` | the subtree table of `compliance.table` as JSON (default: your first subtree, this quarter) |
| `GET meetings/compliance/rules/?year=` | the district's rules of the year (rows or built-in defaults) and the subtree rows you may read |

Scoped like the page: a user without a compliance post gets 404, an `org` outside their
subtrees 404. Unlike the page, which falls back to its defaults, a parameter that is not of
its documented type or range is a 400 (`invalid`, naming it).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from juli.api.auth import API_AUTHENTICATION
from juli.api.errors import ERRORS, ApiErrorSerializer
from juli.api.filters import QuerySerializer
from juli.api.ids import MAX_ID
from juli.orgs.access import one_or_404

from . import compliance, views_compliance
from .access import compliance_orgs, shows_compliance
from .actions import rules as rule_actions

NOT_FOUND = OpenApiResponse(
    ApiErrorSerializer, description="No compliance post, or an organisation outside your scope."
)


#: The years the API reads (the pages fall back to this year outside their range instead).
YEAR_MIN, YEAR_MAX = 2000, 2100


class ComplianceQuerySerializer(QuerySerializer):
    """The query of the compliance table: each parameter, when given, a value of its type
    (else a 400 naming it, where the page would fall back to its default)."""

    org = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        help_text="Root organisation (default: your first).",
    )
    year = serializers.IntegerField(
        min_value=YEAR_MIN, max_value=YEAR_MAX, required=False, help_text="Default: this year."
    )
    period = serializers.ChoiceField(
        choices=list(views_compliance.PERIODS),
        required=False,
        help_text="Window kind (default: quarter).",
    )
    n = serializers.IntegerField(
        min_value=1,
        max_value=12,
        required=False,
        help_text="Which month (1-12), quarter (1-4), half (1-2) or year (1) of the year "
        "(default: the current one, or the last one of a past year).",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        period = attrs.get("period") or "quarter"
        n = attrs.get("n")
        if n is not None and n > 12 // compliance.PERIOD_MONTHS[period]:
            raise serializers.ValidationError({"n": [_("No such period in the year.")]})
        return attrs


class RulesQuerySerializer(QuerySerializer):
    year = serializers.IntegerField(
        min_value=YEAR_MIN, max_value=YEAR_MAX, required=False, help_text="Default: this year."
    )


class _Org(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class _ComplianceCell(serializers.Serializer):  # type: ignore[type-arg]
    kind = serializers.CharField()
    required = serializers.IntegerField(  # type: ignore[assignment]
        help_text="Owed in the periods that have started."
    )
    held = serializers.IntegerField(help_text="Confirmed meetings, capped per period.")
    held_total = serializers.IntegerField()
    state = serializers.ChoiceField(choices=list(compliance.STATE_LABELS))
    deadline = serializers.DateField(allow_null=True)
    done = serializers.IntegerField()
    due = serializers.IntegerField()
    overdue = serializers.IntegerField()
    members = serializers.IntegerField(
        help_text="Organisations added up (a branch and its groups)."
    )
    members_done = serializers.IntegerField()


class _Row(serializers.Serializer):  # type: ignore[type-arg]
    org = _Org()
    groups = serializers.IntegerField()
    cells = _ComplianceCell(many=True)
    attended = serializers.IntegerField()
    counted = serializers.IntegerField()
    attendance_rate = serializers.FloatField(allow_null=True)


class _Total(serializers.Serializer):  # type: ignore[type-arg]
    kind = serializers.CharField()
    required = serializers.IntegerField()  # type: ignore[assignment]
    held = serializers.IntegerField()
    done = serializers.IntegerField()
    due = serializers.IntegerField()
    overdue = serializers.IntegerField()


class ComplianceSerializer(serializers.Serializer):  # type: ignore[type-arg]
    root = _Org()
    year = serializers.IntegerField()
    period = serializers.CharField()
    index = serializers.IntegerField()
    start = serializers.DateField()
    end = serializers.DateField(help_text="The window's last day.")
    today = serializers.DateField()
    kinds = serializers.ListField(child=serializers.CharField())
    rows = _Row(many=True)
    totals = _Total(many=True)
    attendance_rate = serializers.FloatField(allow_null=True)


class RuleSerializer(serializers.Serializer):  # type: ignore[type-arg]
    org = serializers.IntegerField(allow_null=True, source="org_id")
    org_kind = serializers.CharField()
    meeting_kind = serializers.CharField()
    period = serializers.CharField()
    times = serializers.IntegerField()
    is_active = serializers.BooleanField()
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=["builtin", "district", "org"]
    )


class RulesSerializer(serializers.Serializer):  # type: ignore[type-arg]
    year = serializers.IntegerField()
    district = RuleSerializer(many=True)
    subtrees = RuleSerializer(many=True)


def _org(org: Any) -> dict[str, Any]:
    return {"id": org.pk, "code": org.code, "name": org.name}


def table_json(t: compliance.Table) -> dict[str, Any]:
    def cell(c: compliance.Cell) -> dict[str, Any]:
        return {
            "kind": c.kind,
            "required": c.required,
            "held": c.held,
            "held_total": c.held_total,
            "state": c.state,
            "deadline": c.deadline,
            "done": c.count(compliance.State.DONE),
            "due": c.count(compliance.State.DUE),
            "overdue": c.count(compliance.State.OVERDUE),
            "members": c.members,
            "members_done": c.members_done,
        }

    return {
        "root": _org(t.root),
        "year": t.year,
        "period": t.period,
        "index": t.index,
        "start": t.window.start,
        "end": t.window.last_day,
        "today": t.today,
        "kinds": t.kinds,
        "rows": [
            {
                "org": _org(r.org),
                "groups": r.groups,
                "cells": [cell(c) for c in r.line if c is not None],
                "attended": r.attended,
                "counted": r.counted,
                "attendance_rate": r.rate,
            }
            for r in t.rows
        ],
        "totals": [vars(x) for x in t.totals],
        "attendance_rate": t.rate,
    }


class ComplianceView(APIView):
    """The compliance of a subtree over a month, quarter, half or year."""

    authentication_classes = API_AUTHENTICATION
    permission_classes = (IsAuthenticated,)
    serializer_class = ComplianceSerializer

    @extend_schema(
        operation_id="meetings_compliance",
        summary="Meeting compliance of a subtree",
        parameters=[ComplianceQuerySerializer],
        responses={200: ComplianceSerializer, 400: ERRORS[400], 404: NOT_FOUND},
    )
    def get(self, request: Request) -> Response:
        if not shows_compliance(request.user):
            raise Http404
        query = ComplianceQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        given = query.validated_data
        today = timezone.localdate()
        year = given.get("year", today.year)
        period = given.get("period", "quarter")
        index = given.get("n") or compliance.default_index(year, period, today)
        if "org" in given:
            root = one_or_404(compliance_orgs(request.user), given["org"])
        else:
            roots = views_compliance.roots_of(request.user)
            if not roots:
                raise Http404
            root = roots[0]
        t = compliance.table(root, year, period, index, today)
        return Response(ComplianceSerializer(table_json(t)).data)


class RulesView(APIView):
    """The frequency rules of a year."""

    authentication_classes = API_AUTHENTICATION
    permission_classes = (IsAuthenticated,)
    serializer_class = RulesSerializer

    @extend_schema(
        operation_id="meetings_compliance_rules",
        summary="Frequency rules of a year",
        parameters=[RulesQuerySerializer],
        responses={200: RulesSerializer, 400: ERRORS[400], 404: NOT_FOUND},
    )
    def get(self, request: Request) -> Response:
        if not (shows_compliance(request.user) or rule_actions.sets_rules(request.user)):
            raise Http404
        query = RulesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        year = query.validated_data.get("year", timezone.localdate().year)
        book = compliance.RuleBook(year)
        subtrees = [r for _name, r in views_compliance.org_rules(request.user, book)]
        data = {"year": year, "district": book.district_rules(), "subtrees": subtrees}
        return Response(RulesSerializer(data).data)


urlpatterns = [
    path("meetings/compliance/", ComplianceView.as_view(), name="api-meetings-compliance"),
    path(
        "meetings/compliance/rules/",
        RulesView.as_view(),
        name="api-meetings-compliance-rules",
    ),
]
