"""REST API of the daily bulletins, under /api/v1/bulletins/ (read-only).

The list starts from `access.visible_bulletins` and the detail from `access.access_bulletin`,
as the pages do: out of scope is 404, anonymous 401. Filters: `area` (id), `status`,
`date_from`, `date_to` (local dates, both ends included).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers

from juli.api.base import ScopedReadOnlyViewSet
from juli.api.filters import ApiFilterSet, DateFilter, IdFilter
from juli.api.ids import path_id
from juli.api.pagination import KeysetPagination

from . import access
from .models import Bulletin


class BulletinAreaSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    kind = serializers.CharField(read_only=True)


class BulletinSerializer(serializers.ModelSerializer):
    area = BulletinAreaSerializer(read_only=True)
    title = serializers.CharField(read_only=True)
    summary = serializers.SerializerMethodField()
    published_by = serializers.SerializerMethodField()

    class Meta:
        model = Bulletin
        fields = [
            "id",
            "area",
            "date",
            "title",
            "status",
            "summary",
            "generated_at",
            "published_at",
            "published_by",
        ]
        read_only_fields = fields

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                k: {"type": "integer"}
                for k in ("found", "rectified", "verified", "closed", "overdue")
            },
            "additionalProperties": True,
        }
    )
    def get_summary(self, obj: Bulletin) -> dict[str, Any]:
        return dict(obj.figures.get("summary", {}))

    # Null until published, and for one the system published by itself.
    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_published_by(self, obj: Bulletin) -> str | None:
        user = obj.published_by
        if user is None:
            return None
        person = getattr(user, "person", None)
        return person.name if person is not None else user.get_username()


class BulletinDetailSerializer(BulletinSerializer):
    figures = serializers.JSONField(read_only=True)

    class Meta(BulletinSerializer.Meta):
        fields = [*BulletinSerializer.Meta.fields, "notes", "figures"]
        read_only_fields = fields


class BulletinFilter(ApiFilterSet):
    area = IdFilter(field_name="area_id")
    status = django_filters.ChoiceFilter(choices=Bulletin.Status.choices)
    date_from = DateFilter(field_name="date", lookup_expr="gte")
    date_to = DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = Bulletin
        fields = ["area", "status", "date_from", "date_to"]


class BulletinPagination(KeysetPagination):
    ordering = ("-date", "-id")  # type: ignore[assignment]


@extend_schema_view(
    list=extend_schema(operation_id="bulletins_list", summary="Daily bulletins in your scope"),
    retrieve=extend_schema(
        operation_id="bulletins_retrieve",
        summary="One daily bulletin with its figures",
        responses={200: BulletinDetailSerializer},
    ),
)
class BulletinViewSet(ScopedReadOnlyViewSet):
    serializer_class = BulletinSerializer
    filterset_class = BulletinFilter
    pagination_class = BulletinPagination

    def get_queryset(self) -> QuerySet[Bulletin]:
        return access.visible_bulletins(self.request.user).select_related(
            "area", "published_by__person"
        )

    def get_serializer_class(self) -> Any:
        return BulletinDetailSerializer if self.action == "retrieve" else BulletinSerializer

    def get_object(self) -> Bulletin:
        return access.access_bulletin(self.request.user, path_id(self.kwargs["pk"]))
