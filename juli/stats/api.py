"""/api/v1/stats/summary/: the dashboard figures of one area and period, as JSON.

Scoped like the page: office posts over areas; an area outside them answers 404. The
figures are those of `queries.summary`, read from the rollups.
"""

from __future__ import annotations

import datetime

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from juli.api.auth import API_AUTHENTICATION
from juli.api.errors import ApiErrorSerializer
from juli.api.filters import refuse_malformed
from juli.orgs.access import is_office

from . import queries

MAX_DAYS = 366
AREA_CODE_MAX = 32
DEFAULT_DAYS = 30


class SummaryQuerySerializer(serializers.Serializer):  # type: ignore[type-arg]
    area = serializers.CharField(required=False, max_length=AREA_CODE_MAX)
    # "from" is a keyword: the field is declared under another name and renamed below.
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)

    def to_internal_value(self, data: dict) -> dict:  # type: ignore[type-arg]
        # Each once; an empty area is the default one, as documented.
        refuse_malformed(data, ["area", "from", "to"], blank=frozenset({"area"}))
        renamed = {
            "area": data.get("area"),
            "date_from": data.get("from"),
            "date_to": data.get("to"),
        }
        try:
            return super().to_internal_value({k: v for k, v in renamed.items() if v})  # type: ignore[no-any-return]
        except serializers.ValidationError as exc:
            detail = exc.detail if isinstance(exc.detail, dict) else {}
            names = {"date_from": "from", "date_to": "to"}
            raise serializers.ValidationError(
                {names.get(k, k): v for k, v in detail.items()}
            ) from None

    def validate(self, attrs: dict) -> dict:  # type: ignore[type-arg]
        today = timezone.localdate()
        day_to = attrs.get("date_to") or today
        day_from = attrs.get("date_from") or day_to - datetime.timedelta(days=DEFAULT_DAYS - 1)
        if day_from > day_to:
            raise serializers.ValidationError({"from": _("The period starts after it ends.")})
        if (day_to - day_from).days >= MAX_DAYS:
            raise serializers.ValidationError(
                {"from": _("A period is at most %(n)d days.") % {"n": MAX_DAYS}}
            )
        return {"area": attrs.get("area") or "", "date_from": day_from, "date_to": day_to}


class _Area(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()


class _Period(serializers.Serializer):  # type: ignore[type-arg]
    to = serializers.DateField()
    days = serializers.IntegerField()

    def get_fields(self) -> dict:  # type: ignore[type-arg]
        fields = super().get_fields()
        fields["from"] = serializers.DateField()
        return fields


class _Totals(serializers.Serializer):  # type: ignore[type-arg]
    reported = serializers.IntegerField()
    rejected = serializers.IntegerField()
    dispatched = serializers.IntegerField()
    rectified = serializers.IntegerField()
    rectified_on_time = serializers.IntegerField()
    rectified_late = serializers.IntegerField()
    verified = serializers.IntegerField(help_text="Verifications passed.")
    sent_back = serializers.IntegerField(help_text="Verifications failed (sent back).")
    closed = serializers.IntegerField()
    reopened = serializers.IntegerField()
    deferred = serializers.IntegerField()
    escalated = serializers.IntegerField()
    deduction_sum = serializers.DecimalField(max_digits=12, decimal_places=2)
    on_time_rate = serializers.FloatField(
        allow_null=True, help_text="Percent; null: none rectified."
    )
    pass_rate = serializers.FloatField(
        allow_null=True, help_text="Percent of verifications passed."
    )
    open = serializers.IntegerField(help_text="Open now.")
    overdue = serializers.IntegerField(help_text="Dispatched and past the deadline now.")


class _Day(serializers.Serializer):  # type: ignore[type-arg]
    day = serializers.DateField()
    reported = serializers.IntegerField()
    closed = serializers.IntegerField()
    rectified = serializers.IntegerField()


class _Category(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    name = serializers.CharField()
    reported = serializers.IntegerField()
    closed = serializers.IntegerField()
    on_time_rate = serializers.FloatField(allow_null=True)
    open = serializers.IntegerField()


class _AreaFigures(_Area):
    reported = serializers.IntegerField()
    closed = serializers.IntegerField()
    rectified = serializers.IntegerField()
    rectified_on_time = serializers.IntegerField()
    on_time_rate = serializers.FloatField(allow_null=True)
    pass_rate = serializers.FloatField(allow_null=True)
    open = serializers.IntegerField()


class _Cell(_AreaFigures):
    boundary = serializers.JSONField(help_text="GeoJSON geometry of the grid.")


class _Overdue(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    area = serializers.CharField()
    category = serializers.CharField()
    unit = serializers.CharField()
    deadline = serializers.DateTimeField(allow_null=True)
    hours_overdue = serializers.IntegerField()


class _Point(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    status = serializers.CharField()
    lat = serializers.FloatField()
    lng = serializers.FloatField()
    overdue = serializers.BooleanField()


class SummarySerializer(serializers.Serializer):  # type: ignore[type-arg]
    area = _Area()
    period = _Period()
    totals = _Totals()
    trend = _Day(many=True)
    categories = _Category(many=True)
    children = _AreaFigures(many=True, help_text="Per child area (streets of a district …).")
    cells = _Cell(many=True, help_text="Per map cell with its boundary.")
    overdue = _Overdue(many=True, help_text=f"The {queries.OVERDUE_LIMIT} most overdue cases.")
    points = _Point(
        many=True, help_text=f"The newest {queries.POINT_LIMIT} open cases with a position."
    )


class SummaryView(APIView):
    """Dashboard figures of an area (default: your first top area) and period."""

    authentication_classes = API_AUTHENTICATION
    permission_classes = (IsAuthenticated,)
    serializer_class = SummarySerializer

    @extend_schema(
        operation_id="stats_summary",
        summary="Dashboard figures of an area and period",
        parameters=[
            OpenApiParameter(
                "area",
                {"type": "string", "maxLength": AREA_CODE_MAX},
                description="Area code (default: your first top area).",
            ),
            OpenApiParameter(
                "from", datetime.date, description="First local day (default: 30 days ago)."
            ),
            OpenApiParameter("to", datetime.date, description="Last local day (default: today)."),
        ],
        responses={
            200: SummarySerializer,
            404: OpenApiResponse(
                ApiErrorSerializer,
                description="No office post, or an area you may not read (or none such).",
            ),
        },
    )
    def get(self, request: Request) -> Response:
        if not is_office(request.user):
            raise Http404
        query = SummaryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        area = queries.area_by_code(request.user, params["area"])
        data = queries.summary(request.user, area, params["date_from"], params["date_to"])
        return Response(data)
