"""REST endpoints of the minutes and make-ups, under /api/v1/ (included by api_urls.py).

| endpoint | what |
|---|---|
| `GET meetings/{id}/minutes/` | the current version (items, decisions, attendance counts) and the list of versions |
| `PUT/PATCH meetings/{id}/minutes/` | write the draft (PUT: summary, items and decisions all given) |
| `POST meetings/{id}/minutes/start/` | start version 1 from the agenda (after the meeting started) |
| `POST meetings/{id}/minutes/submit/` | hand the draft to the presiders |
| `POST meetings/{id}/minutes/confirm/` | confirm (a presider or a secretary): freezes it, creates make-ups |
| `POST meetings/{id}/minutes/revise/` | `reason` required: version n+1 as a copy |
| `GET meetings/makeups/`, `GET meetings/makeups/{id}/` | the caller's make-ups and those of the meetings they run (`?status=`) |
| `POST meetings/makeups/{id}/submit/` | the member: `way` (read / note / session) and `note` |
| `POST meetings/makeups/{id}/confirm/`, `.../return/` (`reason`) | the secretary |

Errors are `{"detail", "code"}`: 400 (`invalid` with `fields`, `reason_required`,
`not_started`, `not_ended`), 401, 403 (`permission_denied`), 404 (`not_found`: outside the
caller's scope), 409 (`confirmed`: the version is frozen; `illegal_state`, `old_version`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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
from juli.api.filters import QuerySerializer
from juli.orgs.access import require_login_user

from . import documents
from .access import access_make_up, access_meeting, visible_make_ups
from .actions import minutes as actions
from .models import MakeUp, Meeting, Minutes

ERRORS = {
    **API_ERRORS,
    409: OpenApiResponse(ApiErrorSerializer, description="Not allowed in the current state."),
}
CONFLICT_CODES = {"confirmed", "illegal_state", "old_version"}


def minutes_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, actions.MinutesError) and getattr(exc, "code", "") in CONFLICT_CODES:
        return error(" ".join(exc.messages), str(exc.code), status.HTTP_409_CONFLICT)
    return api_exception_handler(exc, context)


class MinutesApiView(APIView):
    authentication_classes = API_AUTHENTICATION
    permission_classes = (IsAuthenticated,)
    parser_classes = (JSONParser,)

    def get_exception_handler(self) -> Callable[..., Response | None]:
        return minutes_exception_handler


# --- Serializers --------------------------------------------------------------------------------


class MinutesItemSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        required=False, help_text="An item of this version; omit for a new one."
    )
    order = serializers.IntegerField(read_only=True)
    title = serializers.CharField(max_length=300)
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    speakers = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class MinutesResolutionSerializer(serializers.Serializer):
    number = serializers.IntegerField(read_only=True, help_text="1..n in the order given.")
    item = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="The item's position (1-based)."
    )
    text = serializers.CharField(max_length=500)
    owner = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="A person of the organisation."
    )
    owner_name = serializers.CharField(read_only=True)
    due_on = serializers.DateField(required=False, allow_null=True, default=None)


class MinutesVersionSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    confirmed_at = serializers.DateTimeField(allow_null=True)
    change_reason = serializers.CharField()


class MinutesCountsSerializer(serializers.Serializer):
    expected = serializers.IntegerField()
    present = serializers.IntegerField()
    leave = serializers.IntegerField()
    absent = serializers.IntegerField()


class MinutesCurrentSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    summary = serializers.CharField()
    recorder = serializers.CharField(allow_null=True)
    change_reason = serializers.CharField()
    submitted = serializers.BooleanField()
    confirmed_at = serializers.DateTimeField(allow_null=True)
    confirmation = serializers.CharField()
    items = MinutesItemSerializer(many=True)
    resolutions = MinutesResolutionSerializer(many=True)


class MinutesSerializer(serializers.Serializer):
    meeting = serializers.IntegerField()
    status = serializers.CharField(help_text="The meeting's status.")
    current = MinutesCurrentSerializer(allow_null=True)
    versions = MinutesVersionSerializer(many=True)
    counts = MinutesCountsSerializer()


class MinutesWriteSerializer(serializers.Serializer):
    summary = serializers.CharField(allow_blank=True)
    items = MinutesItemSerializer(many=True)
    resolutions = MinutesResolutionSerializer(many=True)


class MinutesReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, max_length=500)


class MakeUpSerializer(serializers.ModelSerializer):
    person = serializers.CharField(source="person.name")
    meeting_title = serializers.CharField(source="meeting.title")
    away = serializers.CharField(source="attendee.status", help_text="absent or leave")

    class Meta:
        model = MakeUp
        fields = [
            "id",
            "meeting",
            "meeting_title",
            "person",
            "away",
            "way",
            "note",
            "status",
            "created_at",
            "submitted_at",
            "confirmed_at",
        ]
        read_only_fields = fields


class QueryBooleanField(serializers.BooleanField):
    """`true` or `false`, as the schema's boolean is written in a query; nothing else."""

    TRUE_VALUES = {"true"}
    FALSE_VALUES = {"false"}
    NULL_VALUES: set[str | None] = set()
    default_empty_html = serializers.empty  # left out of the query: not given


class MakeUpQuerySerializer(QuerySerializer):
    status = serializers.ChoiceField(choices=MakeUp.Status.choices, required=False)
    mine = QueryBooleanField(required=False, help_text="Only the caller's own.")


class MakeUpSubmitSerializer(serializers.Serializer):
    way = serializers.ChoiceField(choices=MakeUp.Way.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


def minutes_data(meeting: Meeting) -> dict[str, Any]:
    minutes = actions.current_minutes(meeting)
    counts, _categories, _absences = documents.attendance(meeting)
    current = None
    if minutes is not None:
        current = {
            "version": minutes.version,
            "summary": minutes.summary,
            "recorder": minutes.recorder.name if minutes.recorder else None,
            "change_reason": minutes.change_reason,
            "submitted": minutes.confirmed_at is None and actions.is_submitted(minutes),
            "confirmed_at": minutes.confirmed_at,
            "confirmation": documents.confirmation_line(meeting, minutes),
            "items": [
                {
                    "id": i.pk,
                    "order": i.order,
                    "title": i.title,
                    "summary": i.summary,
                    "speakers": i.speakers,
                }
                for i in minutes.items.all().order_by("order", "pk")
            ],
            "resolutions": [
                {
                    "number": r.number,
                    "item": r.item.order if r.item else None,
                    "text": r.text,
                    "owner": r.owner_id,
                    "owner_name": r.owner.name if r.owner else "",
                    "due_on": r.due_on,
                }
                for r in minutes.resolutions.select_related("owner", "item").order_by("number")
            ],
        }
    versions = Minutes.objects.filter(meeting=meeting).order_by("-version")
    return {
        "meeting": meeting.pk,
        "status": meeting.status,
        "current": current,
        "versions": [
            {
                "version": v.version,
                "created_at": v.created_at,
                "confirmed_at": v.confirmed_at,
                "change_reason": v.change_reason,
            }
            for v in versions
        ],
        "counts": {
            "expected": counts.expected,
            "present": counts.present,
            "leave": counts.leave,
            "absent": counts.absent,
        },
    }


def _answer(meeting: Meeting, code: int = status.HTTP_200_OK) -> Response:
    meeting.refresh_from_db()
    return Response(MinutesSerializer(minutes_data(meeting)).data, status=code)


def _draft(meeting: Meeting) -> Minutes:
    minutes = actions.current_minutes(meeting)
    if minutes is None:
        raise actions.MinutesError(_("The minutes have not been started."), code="illegal_state")
    return minutes


# --- Views --------------------------------------------------------------------------------------


class MinutesView(MinutesApiView):
    @extend_schema(
        operation_id="meetings_minutes_retrieve",
        summary="The minutes of a meeting",
        description="The current version (null before the minutes were started), the list "
        "of versions, and the attendance counts over the organisation's members.",
        responses={200: MinutesSerializer, **{k: v for k, v in ERRORS.items() if k in (401, 404)}},
    )
    def get(self, request: Request, pk: int) -> Response:
        meeting = access_meeting(require_login_user(request.user), pk)
        return _answer(meeting)

    def _write(self, request: Request, pk: int, *, partial: bool) -> Response:
        user = require_login_user(request.user)
        meeting = access_meeting(user, pk)
        serializer = MinutesWriteSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        actions.save_minutes(
            user,
            _draft(meeting),
            summary=data.get("summary"),
            items=data.get("items"),
            resolutions=data.get("resolutions"),
        )
        return _answer(meeting)

    @extend_schema(
        operation_id="meetings_minutes_update",
        summary="Write the draft (all parts)",
        description="Items are matched by `id` (an item left out is removed); decisions "
        "replace the version's and are numbered 1..n in the order given. 409 `confirmed` "
        "once the version is confirmed: revise it with a reason instead.",
        request=MinutesWriteSerializer,
        responses={200: MinutesSerializer, **ERRORS},
    )
    def put(self, request: Request, pk: int) -> Response:
        return self._write(request, pk, partial=False)

    @extend_schema(
        operation_id="meetings_minutes_partial_update",
        summary="Write parts of the draft",
        description="As PUT; a part not sent stays as it is.",
        request=MinutesWriteSerializer,
        responses={200: MinutesSerializer, **ERRORS},
    )
    def patch(self, request: Request, pk: int) -> Response:
        return self._write(request, pk, partial=True)


class MinutesStartView(MinutesApiView):
    @extend_schema(
        operation_id="meetings_minutes_start",
        summary="Start the minutes from the agenda",
        description="Version 1, one item per agenda item; the meeting becomes held. 400 "
        "`not_started` before the meeting starts. Starting again answers the current version.",
        request=None,
        responses={201: MinutesSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        user = require_login_user(request.user)
        meeting = access_meeting(user, pk)
        actions.start_minutes(user, meeting)
        return _answer(meeting, status.HTTP_201_CREATED)


class MinutesSubmitView(MinutesApiView):
    @extend_schema(
        operation_id="meetings_minutes_submit",
        summary="Hand the draft to the presiders",
        request=None,
        responses={200: MinutesSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        user = require_login_user(request.user)
        meeting = access_meeting(user, pk)
        actions.submit_for_confirmation(user, _draft(meeting))
        return _answer(meeting)


class MinutesConfirmView(MinutesApiView):
    @extend_schema(
        operation_id="meetings_minutes_confirm",
        summary="Confirm the minutes",
        description="A presider of the meeting or a secretary over its organisation. "
        "Freezes the version; the meeting becomes confirmed; members absent or on leave from "
        "a party lecture or a members' assembly get a make-up item.",
        request=None,
        responses={200: MinutesSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        user = require_login_user(request.user)
        meeting = access_meeting(user, pk)
        actions.confirm_minutes(user, _draft(meeting))
        return _answer(meeting)


class MinutesReviseView(MinutesApiView):
    @extend_schema(
        operation_id="meetings_minutes_revise",
        summary="Change confirmed minutes (new version)",
        description="`reason` is required (400 `reason_required`, nothing written). The "
        "confirmed version stays as it was; the new one is a copy to edit.",
        request=MinutesReasonSerializer,
        responses={201: MinutesSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        user = require_login_user(request.user)
        meeting = access_meeting(user, pk)
        serializer = MinutesReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        actions.revise_minutes(user, meeting, reason=serializer.validated_data["reason"])
        return _answer(meeting, status.HTTP_201_CREATED)


class MakeUpListView(MinutesApiView):
    @extend_schema(
        operation_id="meetings_makeups_list",
        summary="Make-up items",
        description="The caller's own and those of the meetings the caller runs.",
        parameters=[MakeUpQuerySerializer],
        responses={200: MakeUpSerializer(many=True), 400: ERRORS[400], 401: ERRORS[401]},
    )
    def get(self, request: Request) -> Response:
        user = require_login_user(request.user)
        query = MakeUpQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        qs = visible_make_ups(user).select_related("attendee").order_by("status", "-created_at")
        if "status" in query.validated_data:
            qs = qs.filter(status=query.validated_data["status"])
        if query.validated_data.get("mine"):
            qs = qs.filter(person_id=user.person_id)
        return Response(MakeUpSerializer(qs[:200], many=True).data)


class MakeUpDetailView(MinutesApiView):
    @extend_schema(
        operation_id="meetings_makeups_retrieve",
        summary="A make-up item",
        responses={200: MakeUpSerializer, **{k: v for k, v in ERRORS.items() if k in (401, 404)}},
    )
    def get(self, request: Request, pk: int) -> Response:
        make_up = access_make_up(require_login_user(request.user), pk)
        return Response(MakeUpSerializer(make_up).data)


class MakeUpSubmitView(MinutesApiView):
    @extend_schema(
        operation_id="meetings_makeups_submit",
        summary="Report a make-up done (the member)",
        description="`note` is required with `way` = note.",
        request=MakeUpSubmitSerializer,
        responses={200: MakeUpSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        user = require_login_user(request.user)
        make_up = access_make_up(user, pk)
        serializer = MakeUpSubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        done = actions.submit_make_up(user, make_up, **serializer.validated_data)
        return Response(MakeUpSerializer(done).data)


class MakeUpConfirmView(MinutesApiView):
    @extend_schema(
        operation_id="meetings_makeups_confirm",
        summary="Confirm a make-up (the secretary)",
        request=None,
        responses={200: MakeUpSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        user = require_login_user(request.user)
        done = actions.confirm_make_up(user, access_make_up(user, pk))
        return Response(MakeUpSerializer(done).data)


class MakeUpReturnView(MinutesApiView):
    @extend_schema(
        operation_id="meetings_makeups_return",
        summary="Return a make-up with a reason (the secretary)",
        request=MinutesReasonSerializer,
        responses={200: MakeUpSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        user = require_login_user(request.user)
        make_up = access_make_up(user, pk)
        serializer = MinutesReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        done = actions.return_make_up(user, make_up, reason=serializer.validated_data["reason"])
        return Response(MakeUpSerializer(done).data)


urlpatterns = [
    path("meetings/<int:pk>/minutes/", MinutesView.as_view(), name="api-meetings-minutes"),
    path(
        "meetings/<int:pk>/minutes/start/",
        MinutesStartView.as_view(),
        name="api-meetings-minutes-start",
    ),
    path(
        "meetings/<int:pk>/minutes/submit/",
        MinutesSubmitView.as_view(),
        name="api-meetings-minutes-submit",
    ),
    path(
        "meetings/<int:pk>/minutes/confirm/",
        MinutesConfirmView.as_view(),
        name="api-meetings-minutes-confirm",
    ),
    path(
        "meetings/<int:pk>/minutes/revise/",
        MinutesReviseView.as_view(),
        name="api-meetings-minutes-revise",
    ),
    path("meetings/makeups/", MakeUpListView.as_view(), name="api-meetings-makeups"),
    path("meetings/makeups/<int:pk>/", MakeUpDetailView.as_view(), name="api-meetings-makeup"),
    path(
        "meetings/makeups/<int:pk>/submit/",
        MakeUpSubmitView.as_view(),
        name="api-meetings-makeup-submit",
    ),
    path(
        "meetings/makeups/<int:pk>/confirm/",
        MakeUpConfirmView.as_view(),
        name="api-meetings-makeup-confirm",
    ),
    path(
        "meetings/makeups/<int:pk>/return/",
        MakeUpReturnView.as_view(),
        name="api-meetings-makeup-return",
    ),
]
