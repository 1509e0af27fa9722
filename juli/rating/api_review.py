"""API of branch rating: rounds, review, public notice, objections and star changes
(included by api_urls.py). The same access and actions as the pages (`views_review`).

| endpoint | what |
|---|---|
| `GET rating/rounds/` | the rounds the caller sees |
| `POST rating/rounds/` | open a round (`actions.rounds.open_round`) |
| `GET rating/rounds/{id}/` | a round with its assessments' progress (runners: all; others: the public ones) |
| `POST rating/rounds/{id}/start-publicity/` | start the notice (`starts_on`, default today) |
| `POST rating/rounds/{id}/publish/` | publish after the notice, no objection open |
| `POST rating/assessments/{id}/review/` | `rows`, `vetoes`, `note`, `version` (409 `stale`) |
| `POST rating/assessments/{id}/return/` | `reason` (and `version`) |
| `GET/POST rating/assessments/{id}/objections/` | the objections (runners: all; others: theirs); raise one |
| `POST rating/objections/{id}/answer/` | `status` upheld / dismissed, `answer` |
| `POST rating/assessments/{id}/star-changes/` | lower the stars in force |

Errors `{"detail", "code"}`: 400 (`invalid` with `fields`, `out_of_range`,
`reason_required`, `foreign_row`, `foreign_veto`, `incomplete`, `not_on_notice`,
`duplicate`, `not_lower`, `not_published`), 401, 403, 404 (outside the caller's scope),
409 (`stale`, `illegal_state`, `not_reviewed`, `notice_running`, `open_objections`,
`answered`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from juli.api.auth import API_AUTHENTICATION
from juli.api.errors import ERRORS as API_ERRORS
from juli.api.errors import ApiErrorSerializer, api_exception_handler, error
from juli.orgs.access import require_login_user

from .access import (
    access_assessment,
    access_round,
    can_review,
    can_run_round,
    standard_orgs,
    visible_assessments,
    visible_rounds,
    visible_standards,
)
from .actions import review as actions
from .actions.rounds import RoundError, open_round
from .models import Assessment, Objection, RatingRound

ERRORS = {
    **API_ERRORS,
    409: OpenApiResponse(ApiErrorSerializer, description="Not allowed in the current state."),
}
READ = {k: v for k, v in ERRORS.items() if k in (401, 404)}


def review_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, actions.ReviewError) and exc.code in actions.CONFLICT_CODES:
        return error(" ".join(exc.messages), str(exc.code), status.HTTP_409_CONFLICT)
    return api_exception_handler(exc, context)


class ReviewApiView(APIView):
    authentication_classes = API_AUTHENTICATION
    permission_classes = (IsAuthenticated,)
    parser_classes = (JSONParser,)

    def get_exception_handler(self) -> Callable[..., Response | None]:
        return review_exception_handler


# --- Serializers --------------------------------------------------------------------------------


class RatingRoundSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    org_name = serializers.CharField(source="org.name", read_only=True)
    status = serializers.CharField(read_only=True, help_text="open, publicity or published.")

    class Meta:
        model = RatingRound
        fields = [
            "id",
            "org",
            "org_name",
            "standard",
            "year",
            "title",
            "period_start",
            "period_end",
            "self_due",
            "publicity_days",
            "publicity_starts",
            "publicity_ends",
            "status",
            "published_at",
        ]
        read_only_fields = fields


class RatingOpenRoundSerializer(serializers.Serializer):  # type: ignore[type-arg]
    org = serializers.IntegerField(help_text="An organisation the caller runs (standard_orgs).")
    standard = serializers.IntegerField(help_text="Issued by that organisation or above.")
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    self_due = serializers.DateField()
    period_start = serializers.DateField(required=False, allow_null=True, default=None)
    period_end = serializers.DateField(required=False, allow_null=True, default=None)
    publicity_days = serializers.IntegerField(min_value=1, max_value=30, default=5)


class RatingProgressSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    org_name = serializers.CharField(source="org.name", read_only=True)
    status = serializers.CharField(
        read_only=True,
        help_text="draft, submitted, returned, reviewed, publicity or published.",
    )

    class Meta:
        model = Assessment
        fields = [
            "id",
            "org",
            "org_name",
            "status",
            "version",
            "self_score",
            "score",
            "stars",
            "current_stars",
            "rank",
            "submitted_at",
            "reviewed_at",
            "frozen_at",
        ]
        read_only_fields = fields


class RatingRoundDetailSerializer(RatingRoundSerializer):
    assessments = RatingProgressSerializer(many=True, read_only=True)

    class Meta(RatingRoundSerializer.Meta):
        fields = [*RatingRoundSerializer.Meta.fields, "assessments"]
        read_only_fields = fields


class RatingStartPublicitySerializer(serializers.Serializer):  # type: ignore[type-arg]
    starts_on = serializers.DateField(required=False, allow_null=True, default=None)


class RatingReviewRowSerializer(serializers.Serializer):  # type: ignore[type-arg]
    score = serializers.IntegerField(help_text="A criterion score (row) of this assessment.")
    points = serializers.DecimalField(
        max_digits=6,
        decimal_places=2,
        allow_null=True,
        help_text="Adjusted points in [0, the criterion's points]; null drops the adjustment.",
    )
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class RatingReviewVetoSerializer(serializers.Serializer):  # type: ignore[type-arg]
    veto_id = serializers.IntegerField()
    reason = serializers.CharField(max_length=500, allow_blank=True)


class RatingReviewSerializer(serializers.Serializer):  # type: ignore[type-arg]
    version = serializers.IntegerField(help_text="The version read; an older one answers 409.")
    rows = RatingReviewRowSerializer(many=True, required=False, default=list)
    vetoes = RatingReviewVetoSerializer(
        many=True,
        required=False,
        allow_null=True,
        default=None,
        help_text="The veto findings (replacing them); omitted or null keeps them.",
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class RatingReturnSerializer(serializers.Serializer):  # type: ignore[type-arg]
    reason = serializers.CharField(max_length=500, allow_blank=True)
    version = serializers.IntegerField(required=False, allow_null=True, default=None)


class RatingObjectionSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    raised_by = serializers.CharField(source="raised_by.username", read_only=True)
    status = serializers.CharField(read_only=True, help_text="open, upheld or dismissed.")

    class Meta:
        model = Objection
        fields = [
            "id",
            "assessment",
            "raised_by",
            "text",
            "raised_at",
            "status",
            "answer",
            "answered_at",
        ]
        read_only_fields = fields


class RatingRaiseObjectionSerializer(serializers.Serializer):  # type: ignore[type-arg]
    text = serializers.CharField(max_length=2000, allow_blank=True)


class RatingAnswerSerializer(serializers.Serializer):  # type: ignore[type-arg]
    status = serializers.ChoiceField(choices=[Objection.Status.UPHELD, Objection.Status.DISMISSED])
    answer = serializers.CharField(max_length=2000, allow_blank=True)


class RatingStarChangeSerializer(serializers.Serializer):  # type: ignore[type-arg]
    to_stars = serializers.IntegerField(help_text="Lower than the stars in force.")
    reason = serializers.CharField(max_length=2000, allow_blank=True)
    decision_ref = serializers.CharField(max_length=100, allow_blank=True)
    decided_on = serializers.DateField()
    veto = serializers.IntegerField(required=False, allow_null=True, default=None)


class RatingStarChangeOutSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    assessment = serializers.IntegerField(source="assessment_id")
    from_stars = serializers.IntegerField()
    to_stars = serializers.IntegerField()
    reason = serializers.CharField()
    decision_ref = serializers.CharField()
    decided_on = serializers.DateField()
    veto = serializers.IntegerField(source="veto_id", allow_null=True)


# --- Views --------------------------------------------------------------------------------------


def _progress(user: Any, round_: RatingRound) -> list[Assessment]:
    qs = round_.assessments.select_related("org").order_by("org_path")
    if not can_run_round(user, round_):
        qs = qs.filter(pk__in=visible_assessments(user).values("pk"))
    return list(qs)


def _round_answer(user: Any, round_: RatingRound, code: int = status.HTTP_200_OK) -> Response:
    round_.refresh_from_db()
    data = RatingRoundSerializer(round_).data
    data["assessments"] = RatingProgressSerializer(_progress(user, round_), many=True).data
    return Response(data, status=code)


class RoundListView(ReviewApiView):
    @extend_schema(
        operation_id="rating_rounds_list",
        summary="Rating rounds",
        description="The rounds the caller sees: those they run and those of their subtree.",
        responses={200: RatingRoundSerializer(many=True), 401: ERRORS[401]},
    )
    def get(self, request: Request) -> Response:
        user = require_login_user(request.user)
        rounds = visible_rounds(user).order_by("-year", "org_path", "pk")[:200]
        return Response(RatingRoundSerializer(rounds, many=True).data)

    @extend_schema(
        operation_id="rating_rounds_create",
        summary="Open a round",
        description="Every active branch under the organisation gets its assessment, "
        "pre-filled. 400 `foreign_standard`, `duplicate` (one round a year), `empty`.",
        request=RatingOpenRoundSerializer,
        responses={201: RatingRoundDetailSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        user = require_login_user(request.user)
        serializer = RatingOpenRoundSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        org = standard_orgs(user).filter(pk=data.pop("org")).first()
        standard = visible_standards(user).filter(pk=data.pop("standard")).first()
        if org is None:
            raise RoundError(
                {"org": _("Choose an organisation whose rounds you run.")}, code="invalid"
            )
        if standard is None:
            raise RoundError({"standard": _("Choose a standard you can see.")}, code="invalid")
        round_ = open_round(user, org, standard, **data)
        return _round_answer(user, round_, status.HTTP_201_CREATED)


class RoundDetailView(ReviewApiView):
    @extend_schema(
        operation_id="rating_rounds_retrieve",
        summary="A rating round and its progress",
        description="Runners see every assessment; the others those visible to them.",
        responses={200: RatingRoundDetailSerializer, **READ},
    )
    def get(self, request: Request, pk: int) -> Response:
        user = require_login_user(request.user)
        return _round_answer(user, access_round(user, pk))


class StartPublicityView(ReviewApiView):
    @extend_schema(
        operation_id="rating_rounds_start_publicity",
        summary="Start the public notice",
        description="Once every assessment is reviewed (409 `not_reviewed` names the others). "
        "The notice runs the round's working days from `starts_on` (default today).",
        request=RatingStartPublicitySerializer,
        responses={200: RatingRoundDetailSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        user = require_login_user(request.user)
        round_ = access_round(user, pk, write=True)
        serializer = RatingStartPublicitySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        actions.start_publicity(user, round_, starts_on=serializer.validated_data["starts_on"])
        return _round_answer(user, round_)


class PublishView(ReviewApiView):
    @extend_schema(
        operation_id="rating_rounds_publish",
        summary="Publish the round",
        description="After the notice ends, with no open objection (409 `notice_running`, "
        "`open_objections`). Computed figures are measured one last time and frozen.",
        request=None,
        responses={200: RatingRoundDetailSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        user = require_login_user(request.user)
        round_ = access_round(user, pk, write=True)
        actions.publish(user, round_)
        return _round_answer(user, round_)


def _reviewable(user: Any, pk: int) -> Assessment:
    assessment = access_assessment(user, pk)
    if not can_review(user, assessment):
        raise PermissionDenied
    return assessment


class ReviewView(ReviewApiView):
    @extend_schema(
        operation_id="rating_assessments_review",
        summary="Review an assessment",
        description="Adjusted points per row (with a reason when they differ), veto findings, "
        "a note, and the `version` read: 409 `stale` when someone saved in between. A "
        "reviewer who belongs to the branch: 403.",
        request=RatingReviewSerializer,
        responses={200: RatingProgressSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        user = require_login_user(request.user)
        assessment = _reviewable(user, pk)
        serializer = RatingReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        rows: dict[int, dict[str, Any]] = {}
        for row in data["rows"]:
            if row["score"] in rows:
                raise actions.ReviewError({"rows": _("A row is given twice.")}, code="duplicate")
            rows[row["score"]] = {"points": row["points"], "reason": row["reason"]}
        done = actions.review(
            user,
            assessment,
            rows=rows,
            vetoes=data["vetoes"],
            note=data["note"],
            version=data["version"],
        )
        return Response(RatingProgressSerializer(done).data)


class ReturnView(ReviewApiView):
    @extend_schema(
        operation_id="rating_assessments_return",
        summary="Return an assessment to the branch",
        request=RatingReturnSerializer,
        responses={200: RatingProgressSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        user = require_login_user(request.user)
        assessment = _reviewable(user, pk)
        serializer = RatingReturnSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        done = actions.return_to_branch(user, assessment, **serializer.validated_data)
        return Response(RatingProgressSerializer(done).data)


class ObjectionsView(ReviewApiView):
    @extend_schema(
        operation_id="rating_assessments_objections_list",
        summary="Objections to an assessment",
        description="The round's runners see all; the others their own.",
        responses={200: RatingObjectionSerializer(many=True), **READ},
    )
    def get(self, request: Request, pk: int) -> Response:
        user = require_login_user(request.user)
        assessment = access_assessment(user, pk)
        qs = assessment.objections.select_related("raised_by").order_by("raised_at", "pk")
        if not can_run_round(user, assessment.round):
            qs = qs.filter(raised_by=user)
        return Response(RatingObjectionSerializer(qs, many=True).data)

    @extend_schema(
        operation_id="rating_assessments_objections_create",
        summary="Raise an objection",
        description="Only while the notice runs (400 `not_on_notice`); the same open text "
        "twice: 400 `duplicate`.",
        request=RatingRaiseObjectionSerializer,
        responses={201: RatingObjectionSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        user = require_login_user(request.user)
        assessment = access_assessment(user, pk)
        serializer = RatingRaiseObjectionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        objection = actions.raise_objection(user, assessment, **serializer.validated_data)
        return Response(RatingObjectionSerializer(objection).data, status=status.HTTP_201_CREATED)


class AnswerView(ReviewApiView):
    @extend_schema(
        operation_id="rating_objections_answer",
        summary="Answer an objection",
        description="The round's runners; once (409 `answered`).",
        request=RatingAnswerSerializer,
        responses={200: RatingObjectionSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        user = require_login_user(request.user)
        objection = Objection.objects.filter(
            pk=pk, assessment__round__in=visible_rounds(user)
        ).first()
        if objection is None:
            raise Http404
        serializer = RatingAnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        done = actions.answer_objection(user, objection, **serializer.validated_data)
        return Response(RatingObjectionSerializer(done).data)


class StarChangeView(ReviewApiView):
    @extend_schema(
        operation_id="rating_assessments_star_changes_create",
        summary="Lower or withdraw the stars in force",
        description="Only on a published rating (400 `not_published`), only lower "
        "(400 `not_lower`), with the decision's reference and date.",
        request=RatingStarChangeSerializer,
        responses={201: RatingStarChangeOutSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        user = require_login_user(request.user)
        assessment = _reviewable(user, pk)
        serializer = RatingStarChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        change = actions.change_stars(user, assessment, **serializer.validated_data)
        return Response(RatingStarChangeOutSerializer(change).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("rating/rounds/", RoundListView.as_view(), name="api-rating-rounds"),
    path("rating/rounds/<int:pk>/", RoundDetailView.as_view(), name="api-rating-round"),
    path(
        "rating/rounds/<int:pk>/start-publicity/",
        StartPublicityView.as_view(),
        name="api-rating-round-start-publicity",
    ),
    path(
        "rating/rounds/<int:pk>/publish/",
        PublishView.as_view(),
        name="api-rating-round-publish",
    ),
    path(
        "rating/assessments/<int:pk>/review/",
        ReviewView.as_view(),
        name="api-rating-assessment-review",
    ),
    path(
        "rating/assessments/<int:pk>/return/",
        ReturnView.as_view(),
        name="api-rating-assessment-return",
    ),
    path(
        "rating/assessments/<int:pk>/objections/",
        ObjectionsView.as_view(),
        name="api-rating-assessment-objections",
    ),
    path(
        "rating/objections/<int:pk>/answer/",
        AnswerView.as_view(),
        name="api-rating-objection-answer",
    ),
    path(
        "rating/assessments/<int:pk>/star-changes/",
        StarChangeView.as_view(),
        name="api-rating-assessment-star-changes",
    ),
]
