"""REST endpoints of observation visits under /api/v1/observation/ (same access and actions
as the pages):

- `GET/POST cycles/`, `GET cycles/<id>/` (with its plan), `POST cycles/<id>/swap/`;
- `GET visits/<id>/` (the score summary; sheets for the organiser),
  `POST visits/<id>/score/` (a score sheet, exactly once per client UUID: the phone's outbox
  sends here);
- `GET rectifications/`, `GET rectifications/<id>/`, `POST rectifications/<id>/evidence/`
  (multipart, one file), `POST rectifications/<id>/close/` (JSON: the note and staged photo
  uploads, exactly once per client UUID), `POST rectifications/<id>/reopen/`.

Refusals are the API's one shape: 400 with `fields` (a score out of 0–20: `out_of_range`),
403 (not a scorer of this visit, not the host), 404 outside one's scope, 409 for a state the
step cannot be made from (`illegal_state`, `scoring_closed`), a second sheet
(`already_scored`) or a client id reused (`conflict`).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import URLPattern, re_path
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import BaseParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from juli.api.auth import API_AUTHENTICATION
from juli.api.errors import ApiErrorSerializer, error
from juli.api.fields import TextField, WholeNumberField
from juli.api.ids import ID_PATTERN, path_id
from juli.api.once import respond_once
from juli.core import idempotency
from juli.orgs.access import one_or_404, require_login_user

from . import actions
from .access import (
    access_cycle,
    access_rectification,
    access_visit,
    can_reopen,
    organiser_orgs,
    scorer_orgs,
    sees_sheets,
    visible_cycles,
    visible_rectifications,
)
from .models import (
    ObservationCycle,
    ObservationVisit,
    Rectification,
    RectificationFile,
    ScoreSheet,
)
from .queries import sheet_summary

#: Codes answered 409 rather than 400.
CONFLICT_CODES = frozenset({"illegal_state", "scoring_closed", "already_scored", "conflict"})
LIST_LIMIT = 200


def refusal(exc: ValidationError) -> Response:
    code = getattr(exc, "code", None) or "invalid"
    fields = exc.message_dict if hasattr(exc, "error_dict") else None
    http = status.HTTP_409_CONFLICT if code in CONFLICT_CODES else status.HTTP_400_BAD_REQUEST
    return error(" ".join(exc.messages), code, http, fields)


def _errors(**extra: Any) -> dict[int, Any]:
    out: dict[Any, Any] = {
        400: OpenApiResponse(ApiErrorSerializer, description="The input is refused."),
        403: OpenApiResponse(ApiErrorSerializer, description="Your posts do not allow this."),
        404: OpenApiResponse(ApiErrorSerializer, description="Not in your scope."),
    }
    out.update(extra)
    return out


CONFLICT = OpenApiResponse(
    ApiErrorSerializer, description="Not from the current state, or a submission id reused."
)


# --- serializers --------------------------------------------------------------------------------


class ObservationOrgSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class VisitRowSerializer(serializers.ModelSerializer):
    host = ObservationOrgSerializer()
    # Plain strings, not enums: the schema's "status" enums of every app would collide.
    status = serializers.CharField(help_text="planned | held | scored | closed")
    tier = serializers.CharField(help_text="advanced | middle | lagging, or empty")
    visitors = serializers.SerializerMethodField()

    class Meta:
        model = ObservationVisit
        fields = [
            "id",
            "sequence",
            "scheduled_on",
            "host",
            "status",
            "average",
            "sheets",
            "tier",
            "visitors",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_visitors(self, obj: ObservationVisit) -> list[int]:
        return sorted(g.org_id for g in obj.guests.all())


class CycleSerializer(serializers.ModelSerializer):
    org = ObservationOrgSerializer()
    status = serializers.CharField(help_text="active | closed")

    class Meta:
        model = ObservationCycle
        fields = ["id", "org", "title", "starts_on", "ends_on", "visitors_per_visit", "status"]
        read_only_fields = fields


class CycleDetailSerializer(CycleSerializer):
    visits = serializers.SerializerMethodField()

    class Meta(CycleSerializer.Meta):
        fields = [*CycleSerializer.Meta.fields, "visits"]
        read_only_fields = fields

    @extend_schema_field(VisitRowSerializer(many=True))
    def get_visits(self, obj: ObservationCycle) -> list[dict[str, Any]]:
        rows = obj.visits.select_related("host").prefetch_related("guests").order_by("sequence")
        return list(VisitRowSerializer(rows, many=True).data)


class CycleCreateSerializer(serializers.Serializer):
    org = WholeNumberField(min_value=1, help_text="The organising organisation's id.")
    title = TextField(max_length=200)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    visitors_per_visit = WholeNumberField(
        min_value=0,
        max_value=500,
        required=False,
        default=0,
        help_text="0: every other branch visits each host.",
    )


class SwapSerializer(serializers.Serializer):
    visit = WholeNumberField(min_value=1)
    other = WholeNumberField(min_value=1)
    reason = TextField(max_length=300)


class SwapAnswerSerializer(serializers.Serializer):
    visits = VisitRowSerializer(many=True)


class SheetSerializer(serializers.ModelSerializer):
    visitor_org = ObservationOrgSerializer()

    class Meta:
        model = ScoreSheet
        fields = [
            "id",
            "visit",
            "visitor_org",
            "listen",
            "look",
            "records",
            "talk",
            "evaluate",
            "total",
            "comment",
            "submitted_at",
        ]
        read_only_fields = fields


class ObservationAspectSerializer(serializers.Serializer):
    aspect = serializers.CharField()
    average = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)


class ObservationSummarySerializer(serializers.Serializer):
    n = serializers.IntegerField()
    total = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    aspects = ObservationAspectSerializer(many=True)


class VisitDetailSerializer(VisitRowSerializer):
    cycle = serializers.IntegerField(source="cycle_id")
    summary = serializers.SerializerMethodField()
    sheets_list = serializers.SerializerMethodField()

    class Meta(VisitRowSerializer.Meta):
        fields = [
            *VisitRowSerializer.Meta.fields,
            "cycle",
            "shown",
            "feedback",
            "summary",
            "sheets_list",
        ]
        read_only_fields = fields

    @extend_schema_field(ObservationSummarySerializer)
    def get_summary(self, obj: ObservationVisit) -> dict[str, Any]:
        s = sheet_summary(obj)
        return {
            "n": s["n"],
            "total": s["total"],
            "aspects": [{"aspect": a, "average": v} for a, v in s["aspects"]],
        }

    @extend_schema_field(SheetSerializer(many=True, allow_null=True))
    def get_sheets_list(self, obj: ObservationVisit) -> list[dict[str, Any]] | None:
        if not self.context.get("sheets"):
            return None
        rows = obj.score_sheets.select_related("visitor_org")
        return list(SheetSerializer(rows, many=True).data)


class ScoreInSerializer(serializers.Serializer):
    listen = WholeNumberField(help_text="听: 0–20.")
    look = WholeNumberField(help_text="看: 0–20.")
    records = WholeNumberField(help_text="查: 0–20.")
    talk = WholeNumberField(help_text="谈: 0–20.")
    evaluate = WholeNumberField(help_text="评: 0–20.")
    comment = TextField(max_length=500, required=False, allow_blank=True, default="")
    client_uuid = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Generated by the phone: the sheet's id (or the Idempotency-Key header).",
    )


class ScoreAnswerSerializer(serializers.Serializer):
    sheet = SheetSerializer()
    already = serializers.BooleanField()


class ObservationFileSerializer(serializers.ModelSerializer):
    class Meta:
        model = RectificationFile
        fields = ["id", "name", "content_type", "size", "uploaded_at"]
        read_only_fields = fields


class RectificationSerializer(serializers.ModelSerializer):
    host = ObservationOrgSerializer()
    owner = serializers.CharField(source="owner.name")
    files = ObservationFileSerializer(many=True)
    overdue = serializers.SerializerMethodField()
    status = serializers.CharField(help_text="open | closed")

    class Meta:
        model = Rectification
        fields = [
            "id",
            "visit",
            "host",
            "title",
            "detail",
            "owner",
            "deadline",
            "status",
            "evidence_note",
            "closed_at",
            "escalated_at",
            "overdue",
            "files",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.BooleanField())
    def get_overdue(self, obj: Rectification) -> bool:
        return obj.is_overdue()


class EvidenceInSerializer(serializers.Serializer):
    file = serializers.FileField()


class CloseInSerializer(serializers.Serializer):
    note = TextField(max_length=5000)
    uploads = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        default=list,
        max_length=10,
        help_text="Photos staged with POST /api/v1/uploads/.",
    )
    client_uuid = serializers.UUIDField(required=False, allow_null=True, default=None)


class ObservationReasonSerializer(serializers.Serializer):
    reason = TextField(max_length=300)


# --- views --------------------------------------------------------------------------------------


class ApiBase(APIView):
    authentication_classes = API_AUTHENTICATION
    permission_classes = (IsAuthenticated,)
    parser_classes: tuple[type[BaseParser], ...] = (JSONParser,)


class CycleListView(ApiBase):
    @extend_schema(
        operation_id="observation_cycles_list",
        summary="Observation cycles I run or take part in",
        responses={200: CycleSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        rows = visible_cycles(request.user).order_by("-starts_on", "-pk")[:LIST_LIMIT]
        return Response(CycleSerializer(rows, many=True).data)

    @extend_schema(
        operation_id="observation_cycles_create",
        summary="Open a cycle and compute its plan",
        request=CycleCreateSerializer,
        responses={201: CycleDetailSerializer, **_errors()},
    )
    def post(self, request: Request) -> Response:
        user = require_login_user(request.user)
        body = CycleCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        org = one_or_404(organiser_orgs(user), data["org"])
        try:
            cycle = actions.create_cycle(
                user,
                org,
                title=data["title"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                visitors_per_visit=data["visitors_per_visit"],
            )
        except ValidationError as exc:
            return refusal(exc)
        return Response(CycleDetailSerializer(cycle).data, status=status.HTTP_201_CREATED)


class CycleDetailView(ApiBase):
    @extend_schema(
        operation_id="observation_cycles_retrieve",
        summary="A cycle with its plan",
        responses={200: CycleDetailSerializer, **_errors()},
    )
    def get(self, request: Request, pk: str) -> Response:
        return Response(CycleDetailSerializer(access_cycle(request.user, path_id(pk))).data)


class SwapView(ApiBase):
    @extend_schema(
        operation_id="observation_cycles_swap_create",
        summary="Swap the dates of two planned visits, with a reason",
        request=SwapSerializer,
        responses={200: SwapAnswerSerializer, **_errors()},
    )
    def post(self, request: Request, pk: str) -> Response:
        user = require_login_user(request.user)
        cycle = access_cycle(user, path_id(pk), write=True)
        body = SwapSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        first = one_or_404(cycle.visits.all(), data["visit"])
        second = one_or_404(cycle.visits.all(), data["other"])
        try:
            a, b = actions.swap_slots(user, first, second, reason=data["reason"])
        except ValidationError as exc:
            return refusal(exc)
        return Response({"visits": VisitRowSerializer([a, b], many=True).data})


class VisitDetailView(ApiBase):
    @extend_schema(
        operation_id="observation_visits_retrieve",
        summary="A visit: host, visitors, scores' summary, tier, feedback",
        responses={200: VisitDetailSerializer, **_errors()},
    )
    def get(self, request: Request, pk: str) -> Response:
        visit = access_visit(request.user, path_id(pk))
        context = {"sheets": sees_sheets(request.user, visit)}
        return Response(VisitDetailSerializer(visit, context=context).data)


class ScoreView(ApiBase):
    @extend_schema(
        operation_id="observation_visits_score_create",
        summary="Score the host (one sheet per visiting officer)",
        description="Five aspects 0–20 each. 201: stored; 200: the same submission again "
        "(by `client_uuid` or the `Idempotency-Key` header), nothing written.",
        request=ScoreInSerializer,
        responses={
            201: ScoreAnswerSerializer,
            200: ScoreAnswerSerializer,
            409: CONFLICT,
            **_errors(),
        },
    )
    def post(self, request: Request, pk: str) -> Response:
        user = require_login_user(request.user)
        visit = access_visit(user, path_id(pk))
        if not scorer_orgs(user, visit):  # visible, not a scorer: 403 before the body
            raise PermissionDenied
        body = ScoreInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        raw = request.data.get("client_uuid") if isinstance(request.data, dict) else None
        key = idempotency.resolve_key(request.headers.get(idempotency.HEADER), raw)
        key = key or data["client_uuid"]

        def run() -> idempotency.Outcome:
            sheet, created = actions.submit_sheet(
                user, visit, values=data, comment=data["comment"], client_uuid=key
            )
            answer = {"sheet": SheetSerializer(sheet).data, "already": not created}
            return idempotency.Outcome(201 if created else 200, answer)

        try:
            return respond_once(request, user, key, run)
        except ValidationError as exc:
            return refusal(exc)


class RectificationListView(ApiBase):
    @extend_schema(
        operation_id="observation_rectifications_list",
        summary="Rectification items I give, own or my branch holds",
        responses={200: RectificationSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        rows = (
            visible_rectifications(request.user)
            .prefetch_related("files")
            .order_by("deadline", "pk")[:LIST_LIMIT]
        )
        return Response(RectificationSerializer(rows, many=True).data)


class RectificationDetailView(ApiBase):
    @extend_schema(
        operation_id="observation_rectifications_retrieve",
        summary="A rectification item",
        responses={200: RectificationSerializer, **_errors()},
    )
    def get(self, request: Request, pk: str) -> Response:
        return Response(
            RectificationSerializer(access_rectification(request.user, path_id(pk))).data
        )


class EvidenceView(ApiBase):
    parser_classes = (MultiPartParser,)

    @extend_schema(
        operation_id="observation_rectifications_evidence_create",
        summary="Attach a file to an open item's evidence",
        request={"multipart/form-data": EvidenceInSerializer},
        responses={201: ObservationFileSerializer, 409: CONFLICT, **_errors()},
    )
    def post(self, request: Request, pk: str) -> Response:
        user = require_login_user(request.user)
        item = access_rectification(user, path_id(pk))
        body = EvidenceInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            rows = actions.add_evidence(user, item, files=[body.validated_data["file"]])
        except ValidationError as exc:
            return refusal(exc)
        return Response(ObservationFileSerializer(rows[0]).data, status=status.HTTP_201_CREATED)


class CloseView(ApiBase):
    @extend_schema(
        operation_id="observation_rectifications_close_create",
        summary="Close an item with its evidence (the host)",
        description="The note says what was done; `uploads` are staged photos. Exactly once "
        "per client UUID.",
        request=CloseInSerializer,
        responses={200: RectificationSerializer, 409: CONFLICT, **_errors()},
    )
    def post(self, request: Request, pk: str) -> Response:
        user = require_login_user(request.user)
        item = access_rectification(user, path_id(pk))
        body = CloseInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        raw = request.data.get("client_uuid") if isinstance(request.data, dict) else None
        key = idempotency.resolve_key(request.headers.get(idempotency.HEADER), raw)
        key = key or data["client_uuid"]

        def run() -> idempotency.Outcome:
            done = actions.close_rectification(
                user, item, note=data["note"], uploads=data["uploads"]
            )
            return idempotency.Outcome(200, RectificationSerializer(done).data)

        try:
            return respond_once(request, user, key, run)
        except ValidationError as exc:
            return refusal(exc)


class ReopenView(ApiBase):
    @extend_schema(
        operation_id="observation_rectifications_reopen_create",
        summary="Reopen a closed item, with a reason (the organiser)",
        request=ObservationReasonSerializer,
        responses={200: RectificationSerializer, 409: CONFLICT, **_errors()},
    )
    def post(self, request: Request, pk: str) -> Response:
        user = require_login_user(request.user)
        item = access_rectification(user, path_id(pk))
        if not can_reopen(user, item):  # visible, not the organiser: 403 whatever the state
            raise PermissionDenied
        body = ObservationReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            done = actions.reopen_rectification(user, item, reason=body.validated_data["reason"])
        except ValidationError as exc:
            return refusal(exc)
        return Response(RectificationSerializer(done).data)


P = ID_PATTERN
urlpatterns: list[URLPattern] = [
    re_path(r"^observation/cycles/$", CycleListView.as_view(), name="api-observation-cycles"),
    re_path(
        rf"^observation/cycles/(?P<pk>{P})/$",
        CycleDetailView.as_view(),
        name="api-observation-cycle",
    ),
    re_path(
        rf"^observation/cycles/(?P<pk>{P})/swap/$",
        SwapView.as_view(),
        name="api-observation-cycle-swap",
    ),
    re_path(
        rf"^observation/visits/(?P<pk>{P})/$",
        VisitDetailView.as_view(),
        name="api-observation-visit",
    ),
    re_path(
        rf"^observation/visits/(?P<pk>{P})/score/$",
        ScoreView.as_view(),
        name="api-observation-visit-score",
    ),
    re_path(
        r"^observation/rectifications/$",
        RectificationListView.as_view(),
        name="api-observation-rectifications",
    ),
    re_path(
        rf"^observation/rectifications/(?P<pk>{P})/$",
        RectificationDetailView.as_view(),
        name="api-observation-rectification",
    ),
    re_path(
        rf"^observation/rectifications/(?P<pk>{P})/evidence/$",
        EvidenceView.as_view(),
        name="api-observation-rectification-evidence",
    ),
    re_path(
        rf"^observation/rectifications/(?P<pk>{P})/close/$",
        CloseView.as_view(),
        name="api-observation-rectification-close",
    ),
    re_path(
        rf"^observation/rectifications/(?P<pk>{P})/reopen/$",
        ReopenView.as_view(),
        name="api-observation-rectification-reopen",
    ),
]
