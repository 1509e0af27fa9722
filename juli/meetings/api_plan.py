"""REST endpoints of meetings (planning part), under /api/v1/.

| endpoint | what |
|---|---|
| `GET meetings/` | the meetings you see (`access.visible_meetings`); filters `org` (subtree), `kind`, `status`, `from`, `to` (the start's local date, inclusive); keyset pages, soonest last |
| `POST meetings/` | plan a meeting (the organisation's runners; same rules as the desk form) |
| `GET meetings/{id}/` | one meeting: parts, agenda, roster counts by category and status |
| `POST meetings/{id}/cancel/` | cancel a planned meeting with a `reason` |
| `GET meetings/{id}/attendees/` | the roster (names, categories, attendance; never phone numbers) |

Errors are `{"detail", "code"}` (`juli.api.errors`): 400 (`invalid`, a field in `fields`),
403 (`permission_denied`: not your organisation's meetings to run), 404 (`not_found`: outside
your scope), 409 (`illegal_state`: the meeting is no longer planned).
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable
from typing import Any

import django_filters
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from juli.api.base import ScopedReadOnlyViewSet
from juli.api.errors import ERRORS as API_ERRORS
from juli.api.errors import ApiErrorSerializer, api_exception_handler, error
from juli.api.filters import ApiFilterSet, DateFilter, IdFilter
from juli.api.ids import MAX_ID, path_id
from juli.api.pagination import KeysetPagination
from juli.api.serializers import RefSerializer
from juli.orgs.access import require_login_user
from juli.orgs.models import PartyOrg

from . import access, forms
from .actions import plan
from .models import AgendaItem, Attendee, Meeting, MeetingKind, MeetingSeries

ERRORS = {
    **API_ERRORS,
    409: OpenApiResponse(ApiErrorSerializer, description="Not allowed in the current state."),
}


def meetings_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, plan.MeetingError) and getattr(exc, "code", "") == "illegal_state":
        return error(" ".join(exc.messages), "illegal_state", status.HTTP_409_CONFLICT)
    return api_exception_handler(exc, context)


# --- Serializers ------------------------------------------------------------------------------


class PartSerializer(serializers.Serializer):
    order = serializers.IntegerField()
    title = serializers.CharField()
    presider_id = serializers.IntegerField(allow_null=True, help_text="A person of the directory.")
    presider = serializers.CharField(source="presider_label", help_text="The presider's name.")


class AgendaSerializer(serializers.Serializer):
    order = serializers.IntegerField()
    part = serializers.IntegerField(source="part_order", allow_null=True)
    title = serializers.CharField()
    presenter = serializers.CharField()


class CategoryCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    expected = serializers.IntegerField()
    present = serializers.IntegerField()
    late = serializers.IntegerField()
    leave = serializers.IntegerField()
    absent = serializers.IntegerField()


class RosterSummarySerializer(serializers.Serializer):
    total = serializers.IntegerField()
    attend = CategoryCountsSerializer()
    sit_in = CategoryCountsSerializer()
    take_part = CategoryCountsSerializer()


class MeetingSerializer(serializers.ModelSerializer):
    org = RefSerializer()
    kind_label = serializers.CharField(source="get_kind_display")
    status_label = serializers.CharField(source="get_status_display")
    series = RefSerializer(allow_null=True)
    series_label = serializers.SerializerMethodField()
    roster_size = serializers.IntegerField(source="roster", read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "org",
            "kind",
            "kind_label",
            "title",
            "starts_at",
            "ends_at",
            "place",
            "online_link",
            "status",
            "status_label",
            "series",
            "series_no",
            "series_label",
            "roster_size",
        ]
        read_only_fields = fields

    def get_series_label(self, obj: Meeting) -> str:
        return obj.series.numbered(obj.series_no) if obj.series else ""


class MeetingDetailSerializer(MeetingSerializer):
    parts = serializers.SerializerMethodField()
    agenda = serializers.SerializerMethodField()
    roster = serializers.SerializerMethodField()

    class Meta(MeetingSerializer.Meta):
        fields = [
            *MeetingSerializer.Meta.fields,
            "description",
            "late_after_minutes",
            "cancel_reason",
            "confirmed_at",
            "parts",
            "agenda",
            "roster",
        ]
        read_only_fields = fields

    @extend_schema_field(PartSerializer(many=True))
    def get_parts(self, obj: Meeting) -> Any:
        return PartSerializer(obj.parts.select_related("presider"), many=True).data

    @extend_schema_field(AgendaSerializer(many=True))
    def get_agenda(self, obj: Meeting) -> Any:
        items = (
            AgendaItem.objects.filter(meeting=obj).select_related("part").order_by("order", "pk")
        )
        for item in items:
            item.part_order = item.part.order if item.part else None  # type: ignore[attr-defined]
        return AgendaSerializer(items, many=True).data

    @extend_schema_field(RosterSummarySerializer)
    def get_roster(self, obj: Meeting) -> dict[str, Any]:
        counts = Counter(obj.attendees.values_list("category", "status"))
        out: dict[str, Any] = {"total": sum(counts.values())}
        for category in Attendee.Category.values:
            row = {s: counts.get((category, s), 0) for s in Attendee.Status.values}
            row["total"] = sum(row.values())
            out[category] = row
        return out


class AttendeeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attendee
        fields = [
            "id",
            "person",
            "name",
            "affiliation",
            "category",
            "source",
            "counts",
            "status",
            "signed_in_at",
        ]
        read_only_fields = fields


class AgendaInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    presenter = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")


class PartInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    presider = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, allow_null=True, default=None
    )
    presider_name = serializers.CharField(
        max_length=60, required=False, allow_blank=True, default=""
    )
    agenda = AgendaInputSerializer(many=True, required=False, default=list)


class InviteeInputSerializer(serializers.Serializer):
    category = serializers.ChoiceField(
        choices=Attendee.Category.choices, default=Attendee.Category.ATTEND
    )
    person = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, allow_null=True, default=None
    )
    name = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    affiliation = serializers.CharField(
        max_length=120, required=False, allow_blank=True, default=""
    )


class MeetingCreateSerializer(serializers.Serializer):
    org = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="A party organisation whose meetings you run."
    )
    kind = serializers.ChoiceField(choices=MeetingKind.choices)
    title = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="Empty: made of the organisation, the month and the kind.",
    )
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    online_link = serializers.URLField(max_length=500, required=False, allow_blank=True, default="")
    description = serializers.CharField(required=False, allow_blank=True, default="")
    late_after_minutes = serializers.IntegerField(
        min_value=0, max_value=240, required=False, default=10
    )
    with_members = serializers.BooleanField(required=False, default=True)
    series = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, allow_null=True, default=None
    )
    parts = PartInputSerializer(  # type: ignore[call-arg]  # the list's maxItems
        many=True, required=False, default=list, max_length=forms.MAX_PARTS
    )
    invitees = InviteeInputSerializer(many=True, required=False, default=list)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["ends_at"] <= attrs["starts_at"]:
            raise serializers.ValidationError(
                {"ends_at": [_("The meeting must end after it starts.")]}
            )
        if not attrs["place"].strip() and not attrs["online_link"]:
            raise serializers.ValidationError({"place": [_("Give a place or an online link.")]})
        if len(attrs["parts"]) > forms.MAX_PARTS:
            raise serializers.ValidationError({"parts": [_("At most six parts.")]})
        return attrs


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


# --- Filters ----------------------------------------------------------------------------------


def _org_subtree(queryset: QuerySet[Meeting], name: str, value: int) -> QuerySet[Meeting]:
    org_path = PartyOrg.objects.filter(pk=value).values_list("path", flat=True).first()
    if org_path is None:
        return queryset.none()
    return queryset.filter(org_path__startswith=org_path)


def _day_bound(value: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(value, datetime.time(), timezone.get_current_timezone())


# `value` is annotated: the schema documents a method filter by its type hint (`format: date`).
def _from(queryset: QuerySet[Meeting], name: str, value: datetime.date) -> QuerySet[Meeting]:
    return queryset.filter(starts_at__gte=_day_bound(value))


def _to(queryset: QuerySet[Meeting], name: str, value: datetime.date) -> QuerySet[Meeting]:
    return queryset.filter(starts_at__lt=_day_bound(value + datetime.timedelta(days=1)))


class MeetingFilter(ApiFilterSet):
    org = IdFilter(method=_org_subtree, label="Organisation id: meetings of its subtree")
    kind = django_filters.ChoiceFilter(choices=MeetingKind.choices, label="Kind of meeting")
    status = django_filters.ChoiceFilter(choices=Meeting.Status.choices, label="Status")

    class Meta:
        model = Meeting
        fields: list[str] = []


# "from" is a keyword: the two date filters are added by name.
MeetingFilter.base_filters["from"] = DateFilter(
    method=_from, label="Starting on or after this day (YYYY-MM-DD)"
)
MeetingFilter.base_filters["to"] = DateFilter(
    method=_to, label="Starting on or before this day (YYYY-MM-DD)"
)


class MeetingPagination(KeysetPagination):
    ordering = ("-starts_at", "-id")  # type: ignore[assignment]


# --- Viewset ----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(operation_id="meetings_list", summary="Meetings in your scope"),
    retrieve=extend_schema(
        operation_id="meetings_retrieve",
        summary="One meeting",
        responses={200: MeetingDetailSerializer, **API_ERRORS},
    ),
)
class MeetingViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter
    pagination_class = MeetingPagination
    parser_classes = [JSONParser]

    def get_exception_handler(self) -> Callable[..., Response | None]:
        return meetings_exception_handler

    def get_queryset(self) -> QuerySet[Meeting]:
        return (
            access.visible_meetings(self.request.user)
            .select_related("org", "series")
            .annotate(roster=Count("attendees"))
        )

    def get_serializer_class(self) -> Any:
        return MeetingDetailSerializer if self.action == "retrieve" else MeetingSerializer

    def get_object(self) -> Meeting:
        meeting = access.access_meeting(self.request.user, path_id(self.kwargs["pk"]))
        return self.get_queryset().get(pk=meeting.pk)

    @extend_schema(
        operation_id="meetings_create",
        summary="Plan a meeting",
        description="Plans a meeting of an organisation whose meetings you run (else 403, "
        "whether it exists or not): its parts with presiders and agenda, the members at the "
        "meeting's date (`with_members`) and invitees (people of the directory by id, or "
        "guests by name). Everyone on the roster is told.",
        request=MeetingCreateSerializer,
        responses={201: MeetingDetailSerializer, **ERRORS},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = require_login_user(request.user)
        body = MeetingCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        org = access.runnable_orgs(user).filter(pk=data["org"]).first()
        if org is None:
            raise PermissionDenied(
                _("Your posts do not allow planning this organisation's meetings.")
            )
        people = {p.pk: p for p in forms.people_for(org).filter(pk__in=self._person_ids(data))}
        series = None
        if data["series"]:
            series = MeetingSeries.objects.filter(pk=data["series"], org=org).first()
            if series is None:
                return error(
                    _("No such series of this organisation."),
                    "invalid",
                    400,
                    {"series": [_("No such series of this organisation.")]},
                )
        parts = []
        for n, part in enumerate(data["parts"]):
            presider = people.get(part["presider"]) if part["presider"] else None
            if part["presider"] and presider is None:
                message = _("Not a person of this organisation's directory.")
                return error(message, "invalid", 400, {f"parts.{n}.presider": [message]})
            parts.append(
                plan.PartSpec(
                    title=part["title"],
                    presider=presider,
                    presider_name=part["presider_name"],
                    agenda=[(a["title"], a["presenter"]) for a in part["agenda"]],
                )
            )
        invitees = []
        for n, inv in enumerate(data["invitees"]):
            person = people.get(inv["person"]) if inv["person"] else None
            if inv["person"] and person is None:
                message = _("Not a person of this organisation's directory.")
                return error(message, "invalid", 400, {f"invitees.{n}.person": [message]})
            invitees.append(
                plan.Invitee(
                    category=inv["category"],
                    person=person,
                    name=inv["name"],
                    affiliation=inv["affiliation"],
                )
            )
        title = data["title"].strip() or forms.suggested_title(org, data["kind"], data["starts_at"])
        meeting = plan.plan_meeting(
            user,
            org,
            kind=data["kind"],
            title=title,
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            place=data["place"],
            online_link=data["online_link"],
            description=data["description"],
            parts=parts,
            invitees=invitees,
            with_members=data["with_members"],
            series=series,
            late_after_minutes=data["late_after_minutes"],
        )
        fresh = self.get_queryset().get(pk=meeting.pk)
        return Response(MeetingDetailSerializer(fresh).data, status=status.HTTP_201_CREATED)

    @staticmethod
    def _person_ids(data: dict[str, Any]) -> list[int]:
        ids = [p["presider"] for p in data["parts"] if p["presider"]]
        return ids + [i["person"] for i in data["invitees"] if i["person"]]

    @extend_schema(
        operation_id="meetings_cancel",
        summary="Cancel a planned meeting",
        request=CancelSerializer,
        responses={200: MeetingDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        meeting = access.access_meeting(request.user, path_id(pk), write=True)
        body = CancelSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        plan.cancel_meeting(
            require_login_user(request.user), meeting, reason=body.validated_data["reason"]
        )
        return Response(MeetingDetailSerializer(self.get_queryset().get(pk=meeting.pk)).data)

    @extend_schema(
        operation_id="meetings_attendees",
        summary="The roster of a meeting",
        responses={200: AttendeeSerializer(many=True), **API_ERRORS},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def attendees(self, request: Request, pk: str) -> Response:
        meeting = access.access_meeting(request.user, path_id(pk))
        rows = meeting.attendees.order_by("category", "source", "name", "pk")
        return Response(AttendeeSerializer(rows, many=True).data)


router = SimpleRouter()
router.register("meetings", MeetingViewSet, basename="api-meeting")

urlpatterns = router.urls
