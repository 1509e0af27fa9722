"""REST endpoints of the rating standards, under /api/v1/ (the same access and actions as the
pages: `access.visible_standards` / `access_standard`, `actions.standards`).

| endpoint | what |
|---|---|
| `GET rating/standards/` | the standards you see; filter `year` |
| `POST rating/standards/` | a standard from a nested spec (categories with criteria, veto items, thresholds), for an organisation you issue standards for |
| `GET rating/standards/{id}/` | one standard, nested |
| `PATCH rating/standards/{id}/` | edit a draft: title, description, thresholds (any of the five), criteria by id, added categories (with criteria) and veto items, removed criteria, categories, veto items; all or nothing |
| `POST rating/standards/{id}/copy/` | a draft copy for another year (or organisation) |
| `GET rating/metrics/` | the measured figures a computed criterion may use |

Errors are `{"detail", "code"}` (`juli.api.errors`): 400 (`invalid` with `fields` at the
nested path: `categories.0.criteria.1.points`, `criteria.0.id` for a criterion of another
standard, `thresholds.star3`; or the action's own code: `duplicate`, `unknown_metric`,
`thresholds`, `out_of_range`), 403 (not your standard to write), 404 (outside your scope),
409 (`frozen`: the standard is in use by a round; copy it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import path
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
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from juli.api.auth import API_AUTHENTICATION
from juli.api.base import ScopedReadOnlyViewSet
from juli.api.errors import ERRORS as API_ERRORS
from juli.api.errors import READ_ERRORS, ApiErrorSerializer, api_exception_handler, error
from juli.api.fields import TextField, WholeNumberField
from juli.api.filters import ApiFilterSet
from juli.api.ids import MAX_ID, path_id
from juli.api.pagination import KeysetPagination
from juli.api.serializers import RefSerializer
from juli.core import metrics
from juli.orgs.access import require_login_user

from .access import access_standard, standard_orgs, visible_standards
from .actions import standards as actions
from .models import Criterion, RatingStandard, VetoItem

ERRORS = {
    **API_ERRORS,
    409: OpenApiResponse(
        ApiErrorSerializer, description="The standard is in use by a round (`frozen`)."
    ),
}


def standards_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, actions.StandardError) and getattr(exc, "code", "") == "frozen":
        return error(" ".join(exc.messages), "frozen", status.HTTP_409_CONFLICT)
    return api_exception_handler(exc, context)


def _points(**kw: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=6, decimal_places=2, **kw)


# A decimal input is documented as "a decimal string or a number", and the string's pattern
# can carry whole-number bounds only: 0.5 and 0.01 are stated as numbers.
@extend_schema_field({"type": "number", "multipleOf": 0.01, "minimum": 0.5, "maximum": 100})
class CriterionPointsField(serializers.DecimalField):
    """A criterion's points: 0.5 to 100, two places."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(
            max_digits=6, decimal_places=2, min_value=Decimal("0.5"), max_value=Decimal(100), **kw
        )


@extend_schema_field({"type": "number", "multipleOf": 0.001, "minimum": 0.01, "maximum": 1})
class FullShareField(serializers.DecimalField):
    """The share at which a computed criterion earns full points: 0.01 to 1, three places."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(
            max_digits=4, decimal_places=3, min_value=Decimal("0.01"), max_value=Decimal(1), **kw
        )


@extend_schema_field({"type": "number", "multipleOf": 0.01, "minimum": 0, "maximum": 100})
class ThresholdField(serializers.DecimalField):
    """A star threshold as typed: a normalised score from 0 to 100, two places."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(
            max_digits=6, decimal_places=2, min_value=Decimal(0), max_value=Decimal(100), **kw
        )


@extend_schema_field({"type": "integer"})
class YearFilter(django_filters.NumberFilter):
    """A year: a whole number ("2025.5" is a 400, not "no filter")."""

    field_class = forms.IntegerField


# --- Output -------------------------------------------------------------------------------------


class RatingCriterionSerializer(serializers.ModelSerializer):
    metric_label = serializers.SerializerMethodField()
    points = _points()
    full_share = serializers.DecimalField(max_digits=4, decimal_places=3)

    class Meta:
        model = Criterion
        fields = [
            "id",
            "category",
            "code",
            "title",
            "description",
            "points",
            "method",
            "metric",
            "metric_label",
            "full_share",
            "evidence_hint",
            "order",
        ]
        read_only_fields = fields

    def get_metric_label(self, obj: Criterion) -> str:
        metric = metrics.get(obj.metric) if obj.metric else None
        return str(metric.label) if metric else ""


class RatingCategorySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    order = serializers.IntegerField()
    points = _points()
    criteria = RatingCriterionSerializer(many=True)


class RatingVetoSerializer(serializers.ModelSerializer):
    class Meta:
        model = VetoItem
        fields = ["id", "title", "description", "cap_stars", "order"]
        read_only_fields = fields


class StarThresholdsSerializer(serializers.Serializer):
    """The least normalised score (out of 100) for one … five stars, ascending."""

    star1 = _points(min_value=Decimal(0), max_value=Decimal(100))
    star2 = _points(min_value=Decimal(0), max_value=Decimal(100))
    star3 = _points(min_value=Decimal(0), max_value=Decimal(100))
    star4 = _points(min_value=Decimal(0), max_value=Decimal(100))
    star5 = _points(min_value=Decimal(0), max_value=Decimal(100))


class StarThresholdsInputSerializer(serializers.Serializer):
    """The five thresholds of a new standard (0 to 100 each), ascending."""

    star1 = ThresholdField()
    star2 = ThresholdField()
    star3 = ThresholdField()
    star4 = ThresholdField()
    star5 = ThresholdField()


class StarThresholdsPatchSerializer(serializers.Serializer):
    """Any of the five thresholds; the five together must still ascend."""

    star1 = ThresholdField(required=False)
    star2 = ThresholdField(required=False)
    star3 = ThresholdField(required=False)
    star4 = ThresholdField(required=False)
    star5 = ThresholdField(required=False)


class StandardSerializer(serializers.ModelSerializer):
    org = RefSerializer()
    status_label = serializers.CharField(source="get_status_display")

    class Meta:
        model = RatingStandard
        fields = ["id", "org", "year", "title", "status", "status_label", "copied_from"]
        read_only_fields = fields


class StandardDetailSerializer(StandardSerializer):
    thresholds = serializers.SerializerMethodField()
    total_points = serializers.SerializerMethodField()
    categories = serializers.SerializerMethodField()
    vetoes = serializers.SerializerMethodField()

    class Meta(StandardSerializer.Meta):
        fields = [
            *StandardSerializer.Meta.fields,
            "description",
            "thresholds",
            "total_points",
            "categories",
            "vetoes",
        ]
        read_only_fields = fields

    def _criteria(self, obj: RatingStandard) -> list[Criterion]:
        cache = getattr(obj, "_criteria_cache", None)
        if cache is None:
            cache = list(obj.criteria.order_by("order", "id"))
            obj._criteria_cache = cache  # type: ignore[attr-defined]
        return cache

    @extend_schema_field(StarThresholdsSerializer)
    def get_thresholds(self, obj: RatingStandard) -> dict[str, Any]:
        data: dict[str, Any] = StarThresholdsSerializer(
            {f"star{n}": getattr(obj, f"star{n}") for n in range(1, 6)}
        ).data
        return data

    @extend_schema_field(serializers.DecimalField(max_digits=7, decimal_places=2))
    def get_total_points(self, obj: RatingStandard) -> str:
        return str(sum((Decimal(c.points) for c in self._criteria(obj)), Decimal("0.00")))

    @extend_schema_field(RatingCategorySerializer(many=True))
    def get_categories(self, obj: RatingStandard) -> list[dict[str, Any]]:
        criteria = self._criteria(obj)
        out = []
        for cat in obj.categories.order_by("order", "id"):
            mine = [c for c in criteria if c.category_id == cat.pk]
            out.append(
                {
                    "id": cat.pk,
                    "name": cat.name,
                    "order": cat.order,
                    "points": sum((Decimal(c.points) for c in mine), Decimal("0.00")),
                    "criteria": mine,
                }
            )
        data: Any = RatingCategorySerializer(out, many=True).data
        return data

    @extend_schema_field(RatingVetoSerializer(many=True))
    def get_vetoes(self, obj: RatingStandard) -> list[dict[str, Any]]:
        data: Any = RatingVetoSerializer(obj.vetoes.order_by("order", "id"), many=True).data
        return data


class RatingMetricSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    description = serializers.CharField()


# --- Input --------------------------------------------------------------------------------------


class RatingCriterionInputSerializer(serializers.Serializer):
    code = TextField(max_length=20, required=False, allow_blank=True, default="")
    title = TextField(max_length=200)
    description = TextField(required=False, allow_blank=True, default="")
    points = CriterionPointsField()
    method = serializers.ChoiceField(choices=Criterion.Method.choices)
    metric = TextField(
        max_length=40,
        required=False,
        allow_blank=True,
        default="",
        help_text="A key of `GET rating/metrics/`: required for a computed criterion.",
    )
    full_share = FullShareField(
        required=False,
        help_text="The share at which a computed criterion earns full points (default 1).",
    )
    evidence_hint = TextField(max_length=300, required=False, allow_blank=True, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        method = attrs.get("method")
        metric = attrs.get("metric", "")
        if method == Criterion.Method.COMPUTED and metrics.get(metric) is None:
            raise serializers.ValidationError(
                {"metric": [_("Choose the records this criterion is computed from.")]}
            )
        if method == Criterion.Method.JUDGED and metric:
            raise serializers.ValidationError(
                {"metric": [_("A judged criterion is measured by nothing.")]}
            )
        return attrs


class RatingCriterionPatchSerializer(RatingCriterionInputSerializer):
    id = WholeNumberField(min_value=1, max_value=MAX_ID, help_text="A criterion of this standard.")
    category = WholeNumberField(
        min_value=1, max_value=MAX_ID, required=False, help_text="Move it to this category."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != "id":
                field.required = False
                field.default = serializers.empty

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # The whole criterion (old fields and new) is validated again by the action.
        return attrs


class RatingCategoryInputSerializer(serializers.Serializer):
    name = TextField(max_length=100)
    criteria = RatingCriterionInputSerializer(many=True, required=False, default=list)


class RatingVetoInputSerializer(serializers.Serializer):
    title = TextField(max_length=200)
    description = TextField(required=False, allow_blank=True, default="")
    cap_stars = WholeNumberField(min_value=0, max_value=4, default=0)


class RatingVetoPatchSerializer(serializers.Serializer):
    id = WholeNumberField(min_value=1, max_value=MAX_ID, help_text="A veto item of this standard.")
    title = TextField(max_length=200, required=False)
    description = TextField(required=False, allow_blank=True)
    cap_stars = WholeNumberField(min_value=0, max_value=4, required=False)


def _check_thresholds(values: Mapping[str, Any]) -> None:
    try:
        actions.check_thresholds(values)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(
            {f"thresholds.{k}": v for k, v in exc.message_dict.items()}
        ) from None


class StandardCreateSerializer(serializers.Serializer):
    org = WholeNumberField(
        min_value=1, max_value=MAX_ID, help_text="An organisation you issue standards for."
    )
    year = WholeNumberField(min_value=2000, max_value=2100)
    title = TextField(max_length=200)
    description = TextField(required=False, allow_blank=True, default="")
    thresholds = StarThresholdsInputSerializer(required=False)
    categories = RatingCategoryInputSerializer(many=True, required=False, default=list)
    vetoes = RatingVetoInputSerializer(many=True, required=False, default=list)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("thresholds"):
            _check_thresholds(attrs["thresholds"])
        names = [c["name"].strip() for c in attrs["categories"]]
        for n, name in enumerate(names):
            if name in names[:n]:
                raise serializers.ValidationError(
                    {f"categories.{n}.name": [_("The standard already has this category.")]}
                )
        return attrs


class StandardPatchSerializer(serializers.Serializer):
    title = TextField(max_length=200, required=False)
    description = TextField(required=False, allow_blank=True)
    thresholds = StarThresholdsPatchSerializer(required=False)
    criteria = RatingCriterionPatchSerializer(many=True, required=False)
    add_categories = RatingCategoryInputSerializer(many=True, required=False)
    add_vetoes = RatingVetoInputSerializer(many=True, required=False)
    vetoes = RatingVetoPatchSerializer(many=True, required=False)
    remove_criteria = serializers.ListField(
        child=WholeNumberField(min_value=1, max_value=MAX_ID), required=False
    )
    remove_categories = serializers.ListField(
        child=WholeNumberField(min_value=1, max_value=MAX_ID), required=False
    )
    remove_vetoes = serializers.ListField(
        child=WholeNumberField(min_value=1, max_value=MAX_ID), required=False
    )


class StandardCopySerializer(serializers.Serializer):
    year = WholeNumberField(min_value=2000, max_value=2100)
    org = WholeNumberField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        help_text="Another organisation you issue standards for (default: the same).",
    )
    title = TextField(max_length=200, required=False, allow_blank=True, default="")


# --- Views --------------------------------------------------------------------------------------


class StandardFilter(ApiFilterSet):
    year = YearFilter(label="Year")

    class Meta:
        model = RatingStandard
        fields: list[str] = []


class StandardPagination(KeysetPagination):
    ordering = ("-year", "-id")  # type: ignore[assignment]


def _field_error(path: str, message: str) -> serializers.ValidationError:
    return serializers.ValidationError({path: [message]})


def _prefixed(exc: DjangoValidationError, prefix: str) -> serializers.ValidationError | None:
    """An action's field errors at the nested path of the input they came from."""
    if not hasattr(exc, "error_dict") or getattr(exc, "code", "") == "frozen":
        return None
    return serializers.ValidationError({f"{prefix}.{k}": v for k, v in exc.message_dict.items()})


@extend_schema_view(
    list=extend_schema(operation_id="rating_standards_list", summary="Rating standards you see"),
    retrieve=extend_schema(
        operation_id="rating_standards_retrieve",
        summary="One rating standard",
        responses={200: StandardDetailSerializer, **READ_ERRORS},
    ),
)
class StandardViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    serializer_class = StandardSerializer
    filterset_class = StandardFilter
    pagination_class = StandardPagination
    parser_classes = [JSONParser]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_exception_handler(self) -> Callable[..., Response | None]:
        return standards_exception_handler

    def get_queryset(self) -> QuerySet[RatingStandard]:
        return visible_standards(self.request.user)

    def get_serializer_class(self) -> Any:
        return StandardDetailSerializer if self.action == "retrieve" else StandardSerializer

    def get_object(self) -> RatingStandard:
        return access_standard(self.request.user, path_id(self.kwargs["pk"]))

    @extend_schema(
        operation_id="rating_standards_create",
        summary="Create a rating standard",
        description="A standard of an organisation you issue standards for (else 403), with "
        "its categories and criteria, veto items and star thresholds, in one go.",
        request=StandardCreateSerializer,
        responses={201: StandardDetailSerializer, **ERRORS},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = require_login_user(request.user)
        body = StandardCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        org = standard_orgs(user).filter(pk=data["org"]).first()
        if org is None:
            raise PermissionDenied(
                _("Your posts do not allow issuing this organisation's standards.")
            )
        standard = actions.create_standard(
            user,
            org,
            year=data["year"],
            title=data["title"],
            description=data["description"],
            thresholds=data.get("thresholds"),
            categories=data["categories"],
            vetoes=data["vetoes"],
        )
        return Response(StandardDetailSerializer(standard).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="rating_standards_partial_update",
        summary="Edit a draft standard",
        description="All the changes are made, or none. A criterion, category or veto item "
        "named by id must be this standard's (else 400 at its path); a standard in use by a "
        "round answers 409 `frozen`.",
        request=StandardPatchSerializer,
        responses={200: StandardDetailSerializer, **ERRORS},
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = require_login_user(request.user)
        standard = access_standard(user, path_id(kwargs["pk"]), write=True)
        body = StandardPatchSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        with transaction.atomic():
            self._patch(user, standard, data)
        standard.refresh_from_db()
        return Response(StandardDetailSerializer(standard).data)

    def _patch(self, user: Any, standard: RatingStandard, data: dict[str, Any]) -> None:
        if standard.is_frozen:
            actions._require_draft(standard)  # the 409, before anything else
        if {"title", "description", "thresholds"} & set(data):
            try:
                actions.update_standard(
                    user,
                    standard,
                    title=data.get("title"),
                    description=data.get("description"),
                    thresholds=data.get("thresholds"),
                )
            except DjangoValidationError as exc:
                fields = getattr(exc, "error_dict", {})
                prefix = "thresholds" if any(k.startswith("star") for k in fields) else ""
                mapped = _prefixed(exc, prefix) if prefix else None
                raise mapped or exc from None
        criteria = {c.pk: c for c in standard.criteria.all()}
        categories = {c.pk: c for c in standard.categories.all()}
        vetoes = {v.pk: v for v in standard.vetoes.all()}
        for n, item in enumerate(data.get("criteria", [])):
            item = dict(item)
            criterion = criteria.get(item.pop("id"))
            if criterion is None:
                raise _field_error(f"criteria.{n}.id", _("Choose a criterion of this standard."))
            category = item.pop("category", None)
            if category is not None and category not in categories:
                raise _field_error(
                    f"criteria.{n}.category", _("Choose a category of this standard.")
                )
            try:
                actions.update_criterion(user, criterion, item, category=category)
            except DjangoValidationError as exc:
                raise _prefixed(exc, f"criteria.{n}") or exc from None
        for n, item in enumerate(data.get("vetoes", [])):
            item = dict(item)
            veto = vetoes.get(item.pop("id"))
            if veto is None:
                raise _field_error(f"vetoes.{n}.id", _("Choose a veto item of this standard."))
            try:
                actions.update_veto(user, veto, item)
            except DjangoValidationError as exc:
                raise _prefixed(exc, f"vetoes.{n}") or exc from None
        for n, pk in enumerate(data.get("remove_criteria", [])):
            if pk not in criteria:
                raise _field_error(
                    f"remove_criteria.{n}", _("Choose a criterion of this standard.")
                )
            actions.delete_criterion(user, criteria[pk])
        for n, pk in enumerate(data.get("remove_vetoes", [])):
            if pk not in vetoes:
                raise _field_error(f"remove_vetoes.{n}", _("Choose a veto item of this standard."))
            actions.delete_veto(user, vetoes[pk])
        for n, pk in enumerate(data.get("remove_categories", [])):
            if pk not in categories:
                raise _field_error(
                    f"remove_categories.{n}", _("Choose a category of this standard.")
                )
            actions.delete_category(user, categories[pk])
        for n, cat in enumerate(data.get("add_categories", [])):
            try:
                category = actions.add_category(user, standard, name=cat["name"])
            except DjangoValidationError as exc:
                raise _prefixed(exc, f"add_categories.{n}") or exc from None
            for k, crit in enumerate(cat.get("criteria", [])):
                try:
                    actions.add_criterion(user, standard, category=category, data=crit)
                except DjangoValidationError as exc:
                    raise _prefixed(exc, f"add_categories.{n}.criteria.{k}") or exc from None
        for n, veto_data in enumerate(data.get("add_vetoes", [])):
            try:
                actions.add_veto(user, standard, veto_data)
            except DjangoValidationError as exc:
                raise _prefixed(exc, f"add_vetoes.{n}") or exc from None

    @extend_schema(
        operation_id="rating_standards_copy",
        summary="Copy a standard for another year",
        request=StandardCopySerializer,
        responses={201: StandardDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def copy(self, request: Request, pk: str) -> Response:
        user = require_login_user(request.user)
        source = access_standard(user, path_id(pk))
        body = StandardCopySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        orgs = standard_orgs(user)
        org = orgs.filter(pk=data.get("org", source.org_id)).first()
        if org is None:
            raise PermissionDenied(
                _("Your posts do not allow issuing this organisation's standards.")
            )
        standard = actions.copy_standard(
            user, source, year=data["year"], org=org, title=data["title"] or None
        )
        return Response(StandardDetailSerializer(standard).data, status=status.HTTP_201_CREATED)


class MetricListView(APIView):
    """The measured figures a computed criterion may name."""

    authentication_classes = API_AUTHENTICATION
    permission_classes = (IsAuthenticated,)

    @extend_schema(
        operation_id="rating_metrics_list",
        summary="Measured figures for computed criteria",
        responses={200: RatingMetricSerializer(many=True), **READ_ERRORS},
    )
    def get(self, request: Request) -> Response:
        rows = [
            {"key": m.key, "label": str(m.label), "description": str(m.description)}
            for m in metrics.metrics()
        ]
        return Response(RatingMetricSerializer(rows, many=True).data)


router = SimpleRouter()
router.register("rating/standards", StandardViewSet, basename="api-rating-standard")

urlpatterns = [
    path("rating/metrics/", MetricListView.as_view(), name="api-rating-metrics"),
    *router.urls,
]
