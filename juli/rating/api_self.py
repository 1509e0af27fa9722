"""REST endpoints of the branch's self-assessment, under /api/v1/ (included by api_urls.py).

| endpoint | what |
|---|---|
| `GET rating/assessments/` | the assessments the caller sees (`?round=`, `?status=`) |
| `GET rating/assessments/{id}/` | one, with its rows (figures, sources, evidence, files) and `version` |
| `PATCH rating/assessments/{id}/self/` | the branch's points and notes (`rows`), `summary`, `version` |
| `POST rating/assessments/{id}/submit/` | submit for review (`version`) |
| `POST rating/assessments/{id}/files/` | multipart: `score`, `file`, optional `version`; idempotent by `Idempotency-Key` |

Errors are `{"detail", "code"}`: 400 (`invalid` with `fields`, `out_of_range`,
`foreign_row`, `computed`, `incomplete`, a file's `too_large` / `mismatch` /
`unsupported_format`), 401, 403 (`permission_denied`: not an officer of the branch), 404
(`not_found`: outside the caller's scope), 409 (`stale`: changed since `version`;
`illegal_state`: not editable now).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import BaseParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from juli.api.auth import API_AUTHENTICATION
from juli.api.errors import ERRORS as API_ERRORS
from juli.api.errors import ApiErrorSerializer, api_exception_handler, error
from juli.api.fields import TextField, WholeNumberField
from juli.api.filters import QuerySerializer
from juli.api.ids import MAX_ID
from juli.api.once import respond_once
from juli.core import idempotency, records
from juli.orgs.access import require_login_user

from .access import access_assessment, can_self_assess, visible_assessments
from .actions import selfassess as actions
from .actions.rounds import assessment_rows
from .models import Assessment, CriterionScore, ScoreFile

ERRORS = {
    **API_ERRORS,
    409: OpenApiResponse(
        ApiErrorSerializer, description="Changed since `version` (`stale`), or not editable now."
    ),
}
CONFLICT_CODES = {"stale", "illegal_state"}


def self_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, actions.SelfAssessmentError) and exc.code in CONFLICT_CODES:
        return error(" ".join(exc.messages), str(exc.code), status.HTTP_409_CONFLICT)
    return api_exception_handler(exc, context)


class SelfApiView(APIView):
    authentication_classes = API_AUTHENTICATION
    permission_classes = (IsAuthenticated,)
    parser_classes: tuple[type[BaseParser], ...] = (JSONParser,)

    def get_exception_handler(self) -> Callable[..., Response | None]:
        return self_exception_handler


# --- Serializers --------------------------------------------------------------------------------


class RatingSelfAssessmentListSerializer(serializers.ModelSerializer):
    branch = serializers.CharField(source="org.name")
    round_title = serializers.CharField(source="round.title")

    class Meta:
        model = Assessment
        fields = [
            "id",
            "round",
            "round_title",
            "org",
            "branch",
            "status",
            "version",
            "self_score",
            "score",
            "stars",
            "current_stars",
            "rank",
            "submitted_at",
        ]
        read_only_fields = fields


class RatingSelfSourceSerializer(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]
    url = serializers.CharField(allow_blank=True)
    record = serializers.CharField(allow_blank=True)
    note = serializers.CharField(allow_blank=True)


class RatingSelfEvidenceSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The link's id.")
    kind = serializers.CharField(help_text="The record kind's key (`meetings.meeting`).")
    record = serializers.IntegerField()
    line = serializers.CharField()
    url = serializers.CharField(allow_blank=True)
    prelinked = serializers.BooleanField(help_text="Linked by the system when the round opened.")


class RatingSelfFileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    score = serializers.IntegerField()
    name = serializers.CharField()
    size = serializers.IntegerField()
    url = serializers.CharField()


class RatingSelfRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    criterion = serializers.IntegerField()
    category = serializers.CharField()
    title = serializers.CharField()
    method = serializers.CharField(help_text="computed or judged")
    points = serializers.DecimalField(max_digits=6, decimal_places=2, help_text="Maximum.")
    applicable = serializers.BooleanField()
    share = serializers.DecimalField(max_digits=5, decimal_places=4, allow_null=True)
    figure_text = serializers.CharField(allow_blank=True)
    sources = RatingSelfSourceSerializer(many=True)
    measured_at = serializers.DateTimeField(allow_null=True)
    self_points = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    self_note = serializers.CharField(allow_blank=True)
    review_points = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    review_reason = serializers.CharField(allow_blank=True)
    evidence = RatingSelfEvidenceSerializer(many=True)
    files = RatingSelfFileSerializer(many=True)


class RatingSelfAssessmentDetailSerializer(RatingSelfAssessmentListSerializer):
    self_summary = serializers.CharField()
    editable = serializers.BooleanField(help_text="The caller may write the self-assessment now.")
    rows = RatingSelfRowSerializer(many=True)

    class Meta(RatingSelfAssessmentListSerializer.Meta):
        fields = [
            *RatingSelfAssessmentListSerializer.Meta.fields,
            "self_summary",
            "editable",
            "rows",
        ]
        read_only_fields = fields


class RatingSelfAssessmentQuerySerializer(QuerySerializer):
    round = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    status = serializers.ChoiceField(choices=Assessment.Status.choices, required=False)


class RatingSelfRowWriteSerializer(serializers.Serializer):
    points = serializers.DecimalField(
        max_digits=6, decimal_places=2, allow_null=True, required=False, coerce_to_string=False
    )
    note = TextField(allow_blank=True, max_length=2000, required=False)


class RatingSelfSelfWriteSerializer(serializers.Serializer):
    version = WholeNumberField(min_value=1, help_text="The version you read.")
    rows = serializers.DictField(
        child=RatingSelfRowWriteSerializer(),
        required=False,
        help_text="Row id → `{points, note}` of judged criteria.",
    )
    summary = TextField(allow_blank=True, max_length=5000, required=False)


class RatingSelfVersionSerializer(serializers.Serializer):
    version = WholeNumberField(min_value=1, help_text="The version you read.")


class RatingSelfFileUploadSerializer(serializers.Serializer):
    score = WholeNumberField(min_value=1, max_value=MAX_ID, help_text="A judged row's id.")
    file = serializers.FileField()
    version = WholeNumberField(min_value=1, required=False)

    def to_internal_value(self, data: Any) -> Any:
        # multipart sends numbers as text
        data = {k: data.get(k) for k in ("score", "file", "version") if data.get(k) is not None}
        for k in ("score", "version"):
            if isinstance(data.get(k), str) and data[k].isdigit():
                data[k] = int(data[k])
        return super().to_internal_value(data)


def detail_data(user: Any, assessment: Assessment) -> dict[str, Any]:
    rows = assessment_rows(assessment)
    links = records.links_for(rows)
    ct = ContentType.objects.get_for_model(CriterionScore).pk
    files: dict[int, list[ScoreFile]] = {}
    for f in ScoreFile.objects.filter(score__in=rows).order_by("id"):
        files.setdefault(f.score_id, []).append(f)
    data = dict(RatingSelfAssessmentListSerializer(assessment).data)
    data.update(
        {
            "self_summary": assessment.self_summary,
            "editable": actions.is_editable(assessment) and can_self_assess(user, assessment),
            "rows": RatingSelfRowSerializer(
                [
                    {
                        "id": r.pk,
                        "criterion": r.criterion_id,
                        "category": r.criterion.category.name,
                        "title": r.criterion.title,
                        "method": r.criterion.method,
                        "points": r.criterion.points,
                        "applicable": r.applicable,
                        "share": r.share,
                        "figure_text": r.figure_text,
                        "sources": [
                            {
                                "label": str(s.get("label", "")),
                                "url": str(s.get("url", "")),
                                "record": str(s.get("record", "")),
                                "note": str(s.get("note", "")),
                            }
                            for s in r.sources or []
                        ],
                        "measured_at": r.measured_at,
                        "self_points": r.self_points,
                        "self_note": r.self_note,
                        "review_points": r.review_points,
                        "review_reason": r.review_reason,
                        "evidence": [
                            {
                                "id": ln.link.pk,
                                "kind": ln.kind.key if ln.kind else "",
                                "record": ln.link.record_id,
                                "line": ln.line,
                                "url": ln.url,
                                "prelinked": ln.link.added_by_id is None,
                            }
                            for ln in links.get((ct, r.pk), [])
                        ],
                        "files": [
                            {
                                "id": f.pk,
                                "score": f.score_id,
                                "name": f.name,
                                "size": f.size,
                                "url": f.file.url,
                            }
                            for f in files.get(r.pk, [])
                        ],
                    }
                    for r in rows
                ],
                many=True,
            ).data,
        }
    )
    return data


def _answer(user: Any, pk: int) -> Response:
    return Response(detail_data(user, access_assessment(user, pk)))


# --- Views --------------------------------------------------------------------------------------


class AssessmentListView(SelfApiView):
    @extend_schema(
        operation_id="rating_assessments_list",
        summary="Rating assessments you see",
        description="Your branch's, those of your subtree when you run rounds, and those on "
        "public notice or published in rounds over you.",
        parameters=[RatingSelfAssessmentQuerySerializer],
        responses={
            200: RatingSelfAssessmentListSerializer(many=True),
            400: ERRORS[400],
            401: ERRORS[401],
        },
    )
    def get(self, request: Request) -> Response:
        user = require_login_user(request.user)
        query = RatingSelfAssessmentQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        qs = visible_assessments(user).order_by("-round__year", "org_path", "pk")
        if "round" in query.validated_data:
            qs = qs.filter(round_id=query.validated_data["round"])
        if "status" in query.validated_data:
            qs = qs.filter(status=query.validated_data["status"])
        return Response(RatingSelfAssessmentListSerializer(qs[:500], many=True).data)


class AssessmentDetailView(SelfApiView):
    @extend_schema(
        operation_id="rating_assessments_retrieve",
        summary="A rating assessment with its rows",
        responses={200: RatingSelfAssessmentDetailSerializer, 401: ERRORS[401], 404: ERRORS[404]},
    )
    def get(self, request: Request, pk: int) -> Response:
        return _answer(require_login_user(request.user), pk)


class SelfWriteView(SelfApiView):
    @extend_schema(
        operation_id="rating_assessments_self_partial_update",
        summary="Write the branch's self-assessment",
        description="Points (0 … the criterion's points) and notes of judged rows, and the "
        "summary. Every row is checked first; a refusal writes nothing. 409 `stale` when "
        "`version` is not the current one.",
        request=RatingSelfSelfWriteSerializer,
        responses={200: RatingSelfAssessmentDetailSerializer, **ERRORS},
    )
    def patch(self, request: Request, pk: int) -> Response:
        user = require_login_user(request.user)
        assessment = access_assessment(user, pk)
        serializer = RatingSelfSelfWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        actions.save_self(
            user,
            assessment,
            rows=data.get("rows"),
            summary=data.get("summary"),
            version=data["version"],
        )
        return _answer(user, pk)


class SubmitView(SelfApiView):
    @extend_schema(
        operation_id="rating_assessments_submit",
        summary="Submit the self-assessment for review",
        description="Re-measures the computed rows; 400 `incomplete` while a judged row has "
        "no points; stores the self score.",
        request=RatingSelfVersionSerializer,
        responses={200: RatingSelfAssessmentDetailSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        user = require_login_user(request.user)
        assessment = access_assessment(user, pk)
        serializer = RatingSelfVersionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        actions.submit(user, assessment, version=serializer.validated_data["version"])
        return _answer(user, pk)


class FileUploadView(SelfApiView):
    parser_classes = (MultiPartParser,)

    @extend_schema(
        operation_id="rating_assessments_files_create",
        summary="Attach a file to a judged criterion",
        description="A photo, a PDF, or a Word, Excel or PowerPoint file, at most 20 MB. "
        "Idempotent by the `Idempotency-Key` header when sent.",
        request={"multipart/form-data": RatingSelfFileUploadSerializer},
        responses={201: RatingSelfFileSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        user = require_login_user(request.user)
        assessment = access_assessment(user, pk)
        serializer = RatingSelfFileUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        score = CriterionScore.objects.filter(assessment=assessment, pk=data["score"]).first()
        if score is None:
            raise actions.SelfAssessmentError(
                {"score": "This criterion is not part of this self-assessment."},
                code="foreign_row",
            )
        key = idempotency.resolve_key(request.headers.get(idempotency.HEADER), None)
        upload = data["file"]

        def run() -> idempotency.Outcome:
            item = actions.add_file(user, score, upload, version=data.get("version"))
            body = {
                "id": item.pk,
                "score": item.score_id,
                "name": item.name,
                "size": item.size,
                "url": item.file.url,
            }
            return idempotency.Outcome(status.HTTP_201_CREATED, RatingSelfFileSerializer(body).data)

        body = {"score": data["score"], "name": upload.name, "size": upload.size}
        return respond_once(request, user, key, run, body=body)


urlpatterns = [
    path("rating/assessments/", AssessmentListView.as_view(), name="api-rating-assessments"),
    path(
        "rating/assessments/<int:pk>/",
        AssessmentDetailView.as_view(),
        name="api-rating-assessment",
    ),
    path(
        "rating/assessments/<int:pk>/self/",
        SelfWriteView.as_view(),
        name="api-rating-assessment-self",
    ),
    path(
        "rating/assessments/<int:pk>/submit/",
        SubmitView.as_view(),
        name="api-rating-assessment-submit",
    ),
    path(
        "rating/assessments/<int:pk>/files/",
        FileUploadView.as_view(),
        name="api-rating-assessment-files",
    ),
]
