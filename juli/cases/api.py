"""REST API of the inspection and rectification loop, under /api/v1/.

Reads start from `access.visible_*` and details from `access.access_*`, exactly as the pages
do; writes call the same actions (`report_case`, `submit_inspection`, `transition`, whose
rectify step stores the after-photos it is given). They check every rule; this module only
translates their refusals. Out of scope is 404, a wrong role 403.

Errors are the API's one shape (`juli.api.errors`), JSON `{"detail": "...", "code": "..."}` (plus
`fields` for per-field problems):

| status | code | when |
|---|---|---|
| 400 | `invalid` (with `fields`), `parse_error` | the body or the query does not validate |
| 400 | `invalid_idempotency_key`, `idempotency_key_mismatch` | a key that is no UUID, or a header and a `client_uuid` that differ |
| 400 | a workflow rule: `note_required`, `unit_required`, `unit_inactive`, `after_photo_required`, `same_person`, `requester_required`, `requester_out_of_scope`, `unexpected_argument`, `unknown_action` | a transition the case's state allows but whose arguments break a rule |
| 401 | `not_authenticated`, `authentication_failed` | no or a bad token / session |
| 403 | `permission_denied` | visible, but the caller's posts do not allow the step |
| 404 | `not_found` | no such object in the caller's scope (existence is never revealed) |
| 409 | `illegal_state` | the transition is not allowed from the case's current state |
| 409 | `idempotency_conflict` | the submission id was already used for a different request |

Exactly once (`juli.core.idempotency`): case reports and inspections carry a `client_uuid`
(or an `Idempotency-Key` header; both must agree); transitions may. A repeat of the same
request returns the stored response (header `Idempotent-Replayed: true`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from juli.api.base import ScopedReadOnlyViewSet
from juli.api.errors import ERRORS, READ_ERRORS, ApiErrorSerializer, api_exception_handler, error
from juli.api.filters import (
    ApiFilterSet,
    BooleanFilter,
    DateFilter,
    IdFilter,
    QuerySerializer,
    single,
)
from juli.api.ids import MAX_ID, path_id
from juli.api.once import respond_once
from juli.api.pagination import KeysetPagination, bad_cursor, page_size_from
from juli.api.schema import requires_one_of
from juli.api.serializers import RefSerializer
from juli.core import idempotency
from juli.core.idempotency import Outcome
from juli.core.uploads import MAX_PER_SUBMISSION
from juli.core.writes import ConflictError
from juli.orgs.access import require_login_user, visible_areas
from juli.orgs.models import Area, Unit, User

from . import access, queries, reporting, workflow
from .actions import ACCEPT_DISPATCH, PhotoUpload, accept_and_dispatch, report_case, transition
from .inspections import ResultInput, submit_inspection
from .models import (
    TRANSITIONS,
    Case,
    CaseCategory,
    CasePhoto,
    ChecklistItem,
    Inspection,
    Point,
    PointCategory,
    position_errors,
)
from .publication import update_publication
from .workflow import ArgumentOutOfScope, TransitionError

MAX_UPLOADS = MAX_PER_SUBMISSION  # the phone checks the same limit before queuing


# --- Errors: the API's one shape (juli/api/errors.py), with the loop's own exceptions ----------


def cases_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """The loop's exceptions as `{"detail", "code"}` (see the module doc); the rest is the
    API's own mapping."""
    if isinstance(exc, ConflictError):
        return error(" ".join(exc.messages), "idempotency_conflict", status.HTTP_409_CONFLICT)
    if isinstance(exc, TransitionError):
        code = getattr(exc, "code", None) or "invalid"
        http = status.HTTP_409_CONFLICT if code == "illegal_state" else status.HTTP_400_BAD_REQUEST
        return error(" ".join(exc.messages), code, http)
    return api_exception_handler(exc, context)


CONFLICT = {
    409: OpenApiResponse(
        ApiErrorSerializer,
        description="`illegal_state` (not from the case's current state) or "
        "`idempotency_conflict` (the submission id was used for a different request).",
    )
}
IDEMPOTENCY_HEADER = OpenApiParameter(
    idempotency.HEADER,
    OpenApiTypes.UUID,
    OpenApiParameter.HEADER,
    description="The submission's client UUID (same meaning as `client_uuid`; both must agree).",
)


class CasesApiMixin:
    """The loop's error mapping, and path ids checked before any lookup."""

    def get_exception_handler(self) -> Callable[..., Response | None]:
        return cases_exception_handler

    def get_object(self) -> Any:
        obj = self.get_queryset().filter(pk=path_id(self.kwargs["pk"])).first()  # type: ignore[attr-defined]
        if obj is None:
            raise Http404
        return obj


# --- Shared pieces ------------------------------------------------------------------------------


class CaseRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    number = serializers.CharField(read_only=True)


def _photos_from_uploads(actor: Any, ids: list[uuid.UUID]) -> list[PhotoUpload]:
    """The caller's staged uploads as photos (claims them); [] for none."""
    if not ids:
        return []
    from . import photos  # imported late: photos imports the actions this module also uses

    return photos.photos_from_uploads(actor, ids)


def _decimal(**kw: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=9, decimal_places=6, **kw)


# --- Points and categories ----------------------------------------------------------------------


class ChecklistItemSerializer(serializers.ModelSerializer):
    case_category = serializers.IntegerField(source="case_category_id", read_only=True)

    class Meta:
        model = ChecklistItem
        fields = ["id", "text", "deduction", "case_category", "order"]
        read_only_fields = fields


class PointCategorySerializer(serializers.ModelSerializer):
    items = ChecklistItemSerializer(many=True, read_only=True, source="active_items")

    class Meta:
        model = PointCategory
        fields = ["id", "code", "name", "frequency_days", "items"]
        read_only_fields = fields


class CaseCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseCategory
        fields = ["id", "code", "name", "time_limit", "time_unit", "in_working_time"]
        read_only_fields = fields


class PointSerializer(serializers.ModelSerializer):
    area = RefSerializer(read_only=True)
    category = RefSerializer(read_only=True)
    responsible_unit = RefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Point
        fields = [
            "id",
            "code",
            "name",
            "area",
            "category",
            "lat",
            "lng",
            "responsible_unit",
            "zero_deduction",
            "is_active",
        ]
        read_only_fields = fields


def _area_subtree(queryset: QuerySet[Any], name: str, value: int) -> QuerySet[Any]:
    path = Area.objects.filter(pk=value).values_list("path", flat=True).first()
    if path is None:
        return queryset.none()
    return queryset.filter(**{f"{name}__startswith": path})


class PointFilter(ApiFilterSet):
    area = IdFilter(
        field_name="area_path", method=_area_subtree, label="Area id: points in its subtree"
    )
    category = IdFilter(field_name="category_id", label="Point category id")
    q = django_filters.CharFilter(method="search", label="Part of the name or the code")

    class Meta:
        model = Point
        fields: list[str] = []

    def search(self, queryset: QuerySet[Point], name: str, value: str) -> QuerySet[Point]:
        value = value.strip()
        if not value:
            return queryset
        # Codes are stored upper-case; names are hanzi (LIKE is case-sensitive on SQLite here).
        return queryset.filter(Q(name__contains=value) | Q(code__contains=value.upper()))


class PointPagination(KeysetPagination):
    ordering = "id"


@extend_schema_view(
    list=extend_schema(operation_id="points_list", summary="Points in your scope"),
    retrieve=extend_schema(
        operation_id="points_retrieve", summary="One point", responses={200: PointSerializer}
    ),
)
class PointViewSet(CasesApiMixin, ScopedReadOnlyViewSet):
    serializer_class = PointSerializer
    filterset_class = PointFilter
    pagination_class = PointPagination

    def get_queryset(self) -> QuerySet[Point]:
        return access.visible_points(self.request.user).select_related(
            "area", "category", "responsible_unit"
        )

    def get_object(self) -> Point:
        return access.access_point(self.request.user, path_id(self.kwargs["pk"]))


@extend_schema_view(
    list=extend_schema(operation_id="point_categories_list", summary="Point categories"),
    retrieve=extend_schema(operation_id="point_categories_retrieve", summary="A point category"),
)
class PointCategoryViewSet(CasesApiMixin, ScopedReadOnlyViewSet):
    """Active point categories with their active checklist items (the phones' checklists)."""

    serializer_class = PointCategorySerializer
    pagination_class = None
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[PointCategory]:
        items = ChecklistItem.objects.filter(is_active=True).order_by("order", "id")
        return PointCategory.objects.filter(is_active=True).prefetch_related(
            Prefetch("items", queryset=items, to_attr="active_items")
        )


@extend_schema_view(
    list=extend_schema(operation_id="case_categories_list", summary="Case categories"),
    retrieve=extend_schema(operation_id="case_categories_retrieve", summary="A case category"),
)
class CaseCategoryViewSet(CasesApiMixin, ScopedReadOnlyViewSet):
    serializer_class = CaseCategorySerializer
    pagination_class = None
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[CaseCategory]:
        return CaseCategory.objects.filter(is_active=True)


# --- Cases: read ---------------------------------------------------------------------------------


class CaseSerializer(serializers.ModelSerializer):
    category = RefSerializer(read_only=True)
    area = RefSerializer(read_only=True)
    point = RefSerializer(read_only=True, allow_null=True)
    unit = RefSerializer(read_only=True, allow_null=True)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "status",
            "source",
            "category",
            "area",
            "point",
            "unit",
            "title",
            "lat",
            "lng",
            "reported_at",
            "deadline",
            "is_overdue",
        ]
        read_only_fields = fields


class CasePhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = CasePhoto
        fields = ["id", "kind", "url", "thumbnail_url", "width", "height", "taken_at", "created_at"]
        read_only_fields = fields

    def _url(self, file: Any) -> str | None:
        if not file:
            return None
        request = self.context.get("request")
        return request.build_absolute_uri(file.url) if request is not None else file.url

    def get_url(self, photo: CasePhoto) -> str | None:
        return self._url(photo.file)

    def get_thumbnail_url(self, photo: CasePhoto) -> str | None:
        return self._url(photo.thumbnail)


class CaseEventSerializer(serializers.Serializer):
    at = serializers.DateTimeField(read_only=True)
    action = serializers.CharField(read_only=True)
    from_status = serializers.CharField(read_only=True)
    to_status = serializers.CharField(read_only=True)
    note = serializers.CharField(read_only=True)
    actor = serializers.SerializerMethodField()

    def get_actor(self, event: Any) -> str | None:
        return str(event.actor) if event.actor_id else None


class CaseDetailSerializer(CaseSerializer):
    photos = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    available_actions = serializers.SerializerMethodField()
    inspection = serializers.IntegerField(source="inspection_id", read_only=True, allow_null=True)

    class Meta(CaseSerializer.Meta):
        fields = [
            *CaseSerializer.Meta.fields,
            "client_uuid",
            "description",
            "reporter_name",
            "inspection",
            "deduction",
            "accepted_at",
            "dispatched_at",
            "rectified_at",
            "verified_at",
            "closed_at",
            "deferred_at",
            "deferred_reason",
            "escalated_at",
            "public_reply",
            "is_public",
            "feed_withdrawn",
            "photos",
            "timeline",
            "available_actions",
        ]
        read_only_fields = fields

    @extend_schema_field(CasePhotoSerializer(many=True))
    def get_photos(self, case: Case) -> Any:
        return CasePhotoSerializer(case.photos.all(), many=True, context=self.context).data

    @extend_schema_field(CaseEventSerializer(many=True))
    def get_timeline(self, case: Case) -> Any:
        return CaseEventSerializer(queries.case_timeline(case), many=True).data

    def get_available_actions(self, case: Case) -> list[str]:
        return access.available_actions(self.context["request"].user, case)


@extend_schema_field({"type": "string", "maxLength": 60})
class SearchFilter(django_filters.CharFilter):
    """The case list's search text (`queries.search_cases`), at most 60 characters."""


class CaseFilter(ApiFilterSet):
    """The office list's filters (`queries.CaseFilters`); none can widen the scope."""

    area = IdFilter(label="Area id: cases in its subtree")
    category = IdFilter(label="Case category id")
    status = django_filters.MultipleChoiceFilter(choices=Case.Status.choices)
    unit = IdFilter(label="Responsible unit id")
    source = django_filters.MultipleChoiceFilter(choices=Case.Source.choices)
    overdue = BooleanFilter(label="Dispatched and past the deadline")
    reported_from = DateFilter(label="Reported on or after (local date)")
    reported_to = DateFilter(label="Reported on or before (local date)")
    mine = BooleanFilter(label="Only the cases you reported yourself (我的上报)")
    q = SearchFilter(
        max_length=queries.MAX_SEARCH_LENGTH,
        label="Search: a case number or its start (2026-000123, 2026-00012, 000123, 123), or "
        "words of the title, description, reporter's address, point or area, in simplified or "
        "traditional script or as pinyin initials (every word must be found)",
    )

    class Meta:
        model = Case
        fields: list[str] = []


class CasePageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True, help_text="The next page, or null on the last.")
    results = CaseSerializer(many=True)


# --- Cases: write --------------------------------------------------------------------------------


class UploadsField(serializers.ListField):
    def __init__(self, **kw: Any) -> None:
        super().__init__(
            child=serializers.UUIDField(),
            max_length=MAX_UPLOADS,
            required=False,
            default=list,
            help_text="Ids of your staged uploads (POST /api/v1/uploads/).",
            **kw,
        )


def _whole_position(attrs: dict[str, Any]) -> dict[str, Any]:
    """Both halves of a position or neither (range and NaN are the fields' own checks)."""
    errors = position_errors(attrs.get("lat"), attrs.get("lng"))
    if errors:
        raise serializers.ValidationError({name: [message] for name, message in errors.items()})
    return attrs


@requires_one_of("point", "area")
class CaseReportSerializer(serializers.Serializer):
    client_uuid = serializers.UUIDField(
        required=False, help_text="Client-generated id; or send the Idempotency-Key header."
    )
    category = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    point = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True)
    area = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True)
    # The metaclass pops declared fields, so this does not shadow Field.source at run time.
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=[Case.Source.GRID_WORKER, Case.Source.HOTLINE, Case.Source.REFERRAL],
        required=False,
        help_text="Leave it out for your own report: your role says it (`inspection` for "
        "inspectors, street officers and district admins, whose reports are accepted on the "
        "spot; `grid_worker` for grid leaders and grid workers).",
    )
    title = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="The problem in a few words; empty: the category's name.",
    )
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    lat = _decimal(required=False, allow_null=True, min_value=-90, max_value=90)
    lng = _decimal(required=False, allow_null=True, min_value=-180, max_value=180)
    uploads = UploadsField()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("point") and not attrs.get("area"):
            raise serializers.ValidationError({"area": [_("Give the area or the point.")]})
        return _whole_position(attrs)


class PublicationRequestSerializer(serializers.Serializer):
    public_reply = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        help_text="Text for the public: the Open311 feed shows it as the status note. "
        "Leave it out to keep the current reply; empty clears it.",
    )
    is_public = serializers.BooleanField(
        required=False,
        help_text="List an internal case in the public feed (cases reported by the public "
        "are listed unless withdrawn). Leave it out to keep the current choice.",
    )
    feed_withdrawn = serializers.BooleanField(
        required=False,
        help_text="Take the case off the public feed whatever else says it is listed "
        "(moderation of a public report). Leave it out to keep the current choice.",
    )


class TransitionRequestSerializer(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=[*TRANSITIONS, ACCEPT_DISPATCH],
        help_text="One step of the loop (docs/workflows.md). `accept_dispatch` is 立案并派遣: "
        "`accept` then `dispatch` (to `unit`, else the case's unit) in one transaction, for "
        "the roles that may make both; a refusal of either step writes nothing.",
    )
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    unit = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        allow_null=True,
        help_text="dispatch/resume/accept_dispatch: the unit id.",
    )
    requested_by = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        allow_null=True,
        help_text="defer: the user id of who asked for the deferral.",
    )
    uploads = UploadsField()
    client_uuid = serializers.UUIDField(required=False)


def _unknown(field: str) -> DjangoValidationError:
    return DjangoValidationError({field: [_("Unknown or not in your scope.")]})


# --- Inspections -----------------------------------------------------------------------------------


class ResultRequestSerializer(serializers.Serializer):
    item = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    passed = serializers.BooleanField()
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    uploads = UploadsField()


class InspectionSubmitSerializer(serializers.Serializer):
    client_uuid = serializers.UUIDField(
        required=False, help_text="Client-generated id; or send the Idempotency-Key header."
    )
    point = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    started_at = serializers.DateTimeField()
    lat = _decimal(required=False, allow_null=True, min_value=-90, max_value=90)
    lng = _decimal(required=False, allow_null=True, min_value=-180, max_value=180)
    results = ResultRequestSerializer(  # type: ignore[call-arg]  # ListSerializer takes it
        many=True, allow_empty=False, max_length=100
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        return _whole_position(attrs)


class InspectionResultSerializer(serializers.Serializer):
    item = serializers.IntegerField(source="item_id", read_only=True)
    text = serializers.CharField(source="item.text", read_only=True)
    passed = serializers.BooleanField(read_only=True)
    note = serializers.CharField(read_only=True)


class InspectionSerializer(serializers.ModelSerializer):
    point = RefSerializer(read_only=True)
    inspector = serializers.SerializerMethodField()
    results = InspectionResultSerializer(many=True, read_only=True)
    cases = CaseRefSerializer(many=True, read_only=True)

    class Meta:
        model = Inspection
        fields = [
            "id",
            "client_uuid",
            "point",
            "inspector",
            "started_at",
            "submitted_at",
            "lat",
            "lng",
            "distance_m",
            "far_from_point",
            "deduction",
            "results",
            "cases",
        ]
        read_only_fields = fields

    def get_inspector(self, inspection: Inspection) -> str:
        return str(inspection.inspector)


def _inspections(qs: QuerySet[Inspection]) -> QuerySet[Inspection]:
    return qs.select_related("point", "inspector").prefetch_related(
        Prefetch("results", queryset=_results()),
        Prefetch("cases", queryset=Case.objects.order_by("pk").only("id", "number", "inspection")),
    )


def _results() -> QuerySet[Any]:
    from .models import InspectionResult

    return InspectionResult.objects.select_related("item").order_by("item__order", "id")


# --- Already reported? (the phone report's nearby open cases) -------------------------------------


class NearbyQuerySerializer(QuerySerializer):
    lat = _decimal(required=False, min_value=-90, max_value=90, help_text="The phone's fix.")
    lng = _decimal(required=False, min_value=-180, max_value=180, help_text="The phone's fix.")
    point = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, help_text="Open cases at this point."
    )
    area = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        help_text="Open cases in this area (a grid's or building group's subtree).",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        return _whole_position(attrs)


class PlaceSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["point", "area"], read_only=True)
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    value = serializers.CharField(read_only=True, help_text="The report form's `where` value.")
    distance_m = serializers.IntegerField(read_only=True, allow_null=True)


class NearbyCaseSerializer(serializers.ModelSerializer):
    category = RefSerializer(read_only=True)
    area = RefSerializer(read_only=True)
    point = RefSerializer(read_only=True, allow_null=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    distance_m = serializers.IntegerField(read_only=True, allow_null=True)
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "status",
            "status_label",
            "category",
            "area",
            "point",
            "title",
            "reported_at",
            "distance_m",
            "thumbnail_url",
        ]
        read_only_fields = fields

    def get_thumbnail_url(self, case: Case) -> str | None:
        photos = getattr(case, "before_photos", [])
        if not photos:
            return None
        file = photos[0].thumbnail or photos[0].file
        if not file:
            return None
        request = self.context.get("request")
        return request.build_absolute_uri(file.url) if request is not None else file.url


class NearbySerializer(serializers.Serializer):
    place = PlaceSerializer(
        allow_null=True,
        read_only=True,
        help_text="Where the fix most likely is among your reporting places (null: unknown).",
    )
    results = NearbyCaseSerializer(many=True, read_only=True)


# --- Views ----------------------------------------------------------------------------------------


class IdempotentMixin:
    """Wrap a write in `idempotency.run_once`, keyed by the header and/or `client_uuid`."""

    def once(self, request: Request, run: Callable[[], Outcome], *, required: bool) -> Response:
        data = request.data
        body_key = data.get("client_uuid") if hasattr(data, "get") else None
        key = idempotency.resolve_key(request.headers.get(idempotency.HEADER), body_key)
        if key is None and required:
            raise DjangoValidationError(
                {"client_uuid": [_("Send a client_uuid or an Idempotency-Key header.")]}
            )
        self.submission_key = key
        return respond_once(
            request,
            request.user,
            key,
            run,
            body=data if isinstance(data, dict | list) else {},
            conflict_code="idempotency_conflict",
        )


@extend_schema_view(
    list=extend_schema(
        operation_id="inspections_list",
        summary="Inspections in your scope",
        responses={200: InspectionSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(
        operation_id="inspections_retrieve",
        summary="One inspection",
        responses={200: InspectionSerializer, **READ_ERRORS},
    ),
)
class InspectionViewSet(CasesApiMixin, IdempotentMixin, ScopedReadOnlyViewSet):
    serializer_class = InspectionSerializer
    filter_backends: list[Any] = []
    # Bodies nest lists of objects, which a form cannot carry: JSON only (415 otherwise).
    parser_classes = (JSONParser,)

    def get_queryset(self) -> QuerySet[Inspection]:
        return _inspections(access.visible_inspections(self.request.user))

    def get_object(self) -> Inspection:
        pk = path_id(self.kwargs["pk"])
        access.access_inspection(self.request.user, pk)
        return self.get_queryset().get(pk=pk)

    @extend_schema(
        operation_id="inspections_create",
        summary="Submit a filled checklist (failed items become cases)",
        request=InspectionSubmitSerializer,
        parameters=[IDEMPOTENCY_HEADER],
        responses={201: InspectionSerializer, **ERRORS, **CONFLICT},
    )
    def create(self, request: Request) -> Response:
        return self.once(request, lambda: self._submit(request), required=True)

    def _submit(self, request: Request) -> Outcome:
        form = InspectionSubmitSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        user = require_login_user(request.user)
        point = access.visible_points(user).filter(pk=data["point"]).first()
        if point is None:
            raise _unknown("point")
        ids = [r["item"] for r in data["results"]]
        items = {i.pk: i for i in ChecklistItem.objects.filter(pk__in=ids)}
        answers = []
        for r in data["results"]:
            item = items.get(r["item"])
            if item is None:
                raise _unknown("results")
            photos = _photos_from_uploads(user, r["uploads"])
            answers.append(ResultInput(item, r["passed"], r["note"], photos))
        inspection = submit_inspection(
            user,
            client_uuid=self.submission_key,  # type: ignore[arg-type]  # required=True
            point=point,
            results=answers,
            started_at=data["started_at"],
            lat=data.get("lat"),
            lng=data.get("lng"),
        )
        fresh = _inspections(Inspection.objects.all()).get(pk=inspection.pk)
        return Outcome(201, InspectionSerializer(fresh, context={"request": request}).data)


CASE_LIST_PARAMETERS = [
    OpenApiParameter("after", str, description="The `next` cursor of the previous page."),
    OpenApiParameter(
        "page_size",
        {"type": "integer", "minimum": 1},
        description="Rows per page (default 50, at most 200).",
    ),
]


class CaseSchema(AutoSchema):
    """The case list pages itself (`queries.case_list`'s keyset cursor): its answer is one page
    object, not an array to wrap in DRF's pagination; its filters are still documented."""

    def _is_list_view(self, serializer: Any = None) -> bool:
        if serializer is not None and getattr(self.view, "action", None) == "list":
            return False
        return super()._is_list_view(serializer)


@extend_schema_view(
    retrieve=extend_schema(
        operation_id="cases_retrieve",
        summary="One case: photos, timeline and the caller's actions",
        responses={200: CaseDetailSerializer, **READ_ERRORS},
    ),
)
class CaseViewSet(CasesApiMixin, IdempotentMixin, ScopedReadOnlyViewSet):
    serializer_class = CaseDetailSerializer
    schema = CaseSchema()
    filterset_class = CaseFilter
    pagination_class = None  # the list pages itself (`after`, CASE_LIST_PARAMETERS)
    parser_classes = (JSONParser,)  # as the phones send them; 415 for a form

    def get_queryset(self) -> QuerySet[Case]:
        return access.visible_cases(self.request.user)

    def get_object(self) -> Case:
        return access.access_case(self.request.user, path_id(self.kwargs["pk"]))

    def _detail(self, case_id: int) -> dict[str, Any]:
        case = access.access_case(self.request.user, case_id)
        return CaseDetailSerializer(case, context={"request": self.request}).data

    @extend_schema(
        operation_id="cases_list",
        summary="Cases in your scope, newest report first (keyset pages)",
        parameters=CASE_LIST_PARAMETERS,
        responses={200: CasePageSerializer, **READ_ERRORS},
    )
    def list(self, request: Request) -> Response:
        form = CaseFilter(request.query_params, queryset=Case.objects.none())
        if not form.is_valid():
            raise exceptions.ValidationError(form.errors)
        f = form.form.cleaned_data
        limit = page_size_from(
            single(request.query_params, "page_size"),
            default=queries.PAGE_SIZE,
            maximum=queries.MAX_PAGE_SIZE,
        )
        after = single(request.query_params, "after")
        if after and queries._decode(after) is None:
            # The office pages start again at page one; an API client is told.
            raise bad_cursor("after")
        filters = queries.CaseFilters(
            category=f.get("category"),
            status=list(f.get("status") or []) or None,
            unit=f.get("unit"),
            source=list(f.get("source") or []) or None,
            overdue=bool(f.get("overdue")),
            reported_from=f.get("reported_from"),
            reported_to=f.get("reported_to"),
            reporter=request.user if f.get("mine") else None,
            q=f.get("q") or "",
        )
        if f.get("area") is not None:
            area = Area.objects.filter(pk=f["area"]).first()
            if area is None:
                return Response({"next": None, "results": []})
            filters.area = area
        page = queries.case_list(request.user, filters, after=after, limit=limit)
        next_url = None
        if page.next_cursor:
            params = request.query_params.copy()
            params["after"] = page.next_cursor
            next_url = request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
        rows = CaseSerializer(page.rows, many=True, context={"request": request}).data
        return Response({"next": next_url, "results": rows})

    @extend_schema(
        operation_id="cases_create",
        summary="Report a problem (a case in state reported)",
        request=CaseReportSerializer,
        parameters=[IDEMPOTENCY_HEADER],
        responses={201: CaseDetailSerializer, **ERRORS, **CONFLICT},
    )
    def create(self, request: Request) -> Response:
        return self.once(request, lambda: self._report(request), required=True)

    def _report(self, request: Request) -> Outcome:
        form = CaseReportSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        user = require_login_user(request.user)
        category = CaseCategory.objects.filter(pk=data["category"]).first()
        if category is None:
            raise _unknown("category")
        point = area = None
        if data.get("point"):
            points = access.visible_points(user).select_related("area")
            point = points.filter(pk=data["point"]).first()
            if point is None:
                raise _unknown("point")
        else:
            area = visible_areas(user).filter(pk=data["area"]).first()
            if area is None:
                raise _unknown("area")
        case = report_case(
            user,
            client_uuid=self.submission_key,  # type: ignore[arg-type]  # required=True
            source=data.get("source"),
            category=category,
            title=data["title"],
            area=area,
            point=point,
            description=data.get("description", ""),
            lat=data.get("lat"),
            lng=data.get("lng"),
            photos=_photos_from_uploads(user, data["uploads"]),
        )
        return Outcome(201, self._detail(case.pk))

    @extend_schema(
        operation_id="cases_transitions_create",
        summary="Make one step of the case loop",
        request=TransitionRequestSerializer,
        parameters=[IDEMPOTENCY_HEADER],
        responses={200: CaseDetailSerializer, **ERRORS, **CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="transitions")
    def transitions(self, request: Request, pk: str) -> Response:
        return self.once(request, lambda: self._transition(request, pk), required=False)

    def _transition(self, request: Request, pk: str) -> Outcome:
        user = require_login_user(request.user)
        case = access.access_case(user, path_id(pk))
        form = TransitionRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        act = data["action"]
        kwargs: dict[str, Any] = {}
        # Ids become objects here; whether they may be used (a unit in scope and active, a
        # requester who works on the case, photos with the rectify step) is the action's
        # rule, and its refusal is translated below.
        if data.get("unit") is not None:
            unit = Unit.objects.filter(pk=data["unit"]).first()
            if unit is None:
                raise _unknown("unit")
            kwargs["unit"] = unit
        if data.get("requested_by") is not None:
            requester = User.objects.filter(pk=data["requested_by"]).first()
            if requester is None:
                raise workflow.requester_out_of_scope()
            kwargs["requested_by"] = requester
        if data["uploads"]:
            # Claimed (and checked to be the caller's) only for the step that takes them;
            # any other step refuses the argument before anything is read.
            uploads = data["uploads"]
            kwargs["photos"] = _photos_from_uploads(user, uploads) if act == "rectify" else uploads
        try:
            if act == ACCEPT_DISPATCH:
                accept_and_dispatch(user, case, note=data["note"], **kwargs)
            else:
                transition(user, case, act, note=data["note"], **kwargs)
        except ArgumentOutOfScope as refused:
            raise _unknown(refused.field) from None
        except TransitionError as refused:
            if refused.code == "unit_inactive" and "unit" in kwargs:
                # A unit the body names must be an active one in scope, as on the page.
                raise _unknown("unit") from None
            raise
        return Outcome(200, self._detail(case.pk))

    @extend_schema(
        operation_id="cases_publication_create",
        summary="Set the case's public reply and whether the public feed lists it",
        request=PublicationRequestSerializer,
        responses={200: CaseDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="publication")
    def publication(self, request: Request, pk: str) -> Response:
        case = access.access_case(request.user, path_id(pk))
        form = PublicationRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        update_publication(require_login_user(request.user), case, **form.validated_data)
        return Response(self._detail(case.pk))

    @extend_schema(
        operation_id="cases_photos_list",
        summary="The case's photos (before and after)",
        responses={200: CasePhotoSerializer(many=True), **READ_ERRORS},
    )
    @action(
        detail=True, methods=["get"], url_path="photos", pagination_class=None, filter_backends=[]
    )
    def photos(self, request: Request, pk: str) -> Response:
        case = access.access_case(request.user, path_id(pk))
        photos = case.photos.all()
        return Response(CasePhotoSerializer(photos, many=True, context={"request": request}).data)

    @extend_schema(
        operation_id="cases_nearby",
        summary="Open cases near a place, before reporting one (already reported?)",
        parameters=[NearbyQuerySerializer],
        responses={200: NearbySerializer, **READ_ERRORS},
    )
    @action(
        detail=False, methods=["get"], url_path="nearby", pagination_class=None, filter_backends=[]
    )
    def nearby(self, request: Request) -> Response:
        """Open cases you can see within 150 m of `lat`/`lng`, at `point` or in `area`,
        nearest first (at most 10), and the suggested place for the fix. A point or an area
        outside your scope is a 404."""
        query = NearbyQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        point = area = None
        if data.get("point") is not None:
            point = access.access_point(request.user, data["point"])
        if data.get("area") is not None:
            area = visible_areas(request.user).filter(pk=data["area"]).first()
            if area is None:
                raise Http404
        lat, lng = data.get("lat"), data.get("lng")
        place = None
        if lat is not None and lng is not None and reporting.report_paths(request.user):
            place = reporting.suggest_place(request.user, lat, lng)
        cases = reporting.nearby_open_cases(request.user, lat=lat, lng=lng, point=point, area=area)
        return Response(
            {
                "place": PlaceSerializer(place).data if place is not None else None,
                "results": NearbyCaseSerializer(
                    cases, many=True, context={"request": request}
                ).data,
            }
        )
