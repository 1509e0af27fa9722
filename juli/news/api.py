"""REST API of news, under /api/v1/news/ (read-only): the published items the caller may
read (of the organisations their grants cover, and of every public organisation), as the
pages show them. Filters: `org` (id), `q` (words, traditional or simplified script)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from juli.api.base import ScopedReadOnlyViewSet
from juli.api.filters import ApiFilterSet, IdFilter
from juli.api.ids import path_id
from juli.api.pagination import KeysetPagination
from juli.api.serializers import RefSerializer
from juli.orgs.access import one_or_404

from . import access, queries
from .models import NewsItem


class NewsItemSerializer(serializers.ModelSerializer):
    org = RefSerializer(read_only=True)

    class Meta:
        model = NewsItem
        fields = ["id", "org", "title", "summary", "published_at", "source_label"]
        read_only_fields = fields


class NewsItemDetailSerializer(NewsItemSerializer):
    paragraphs = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta(NewsItemSerializer.Meta):
        fields = [*NewsItemSerializer.Meta.fields, "body", "paragraphs"]
        read_only_fields = fields


class NewsFilter(ApiFilterSet):
    org = IdFilter(field_name="org_id")
    q = django_filters.CharFilter(method="search", label="Words of the title or text")

    class Meta:
        model = NewsItem
        fields = ["org", "q"]

    def search(self, qs: QuerySet[NewsItem], name: str, value: str) -> QuerySet[NewsItem]:
        return queries.search(qs, value) if value.strip() else qs


class NewsPagination(KeysetPagination):
    ordering = ("-published_at", "-id")  # type: ignore[assignment]


@extend_schema_view(
    list=extend_schema(operation_id="news_list", summary="Published news you may read"),
    retrieve=extend_schema(
        operation_id="news_retrieve",
        summary="One published news item with its text",
        responses={200: NewsItemDetailSerializer},
    ),
)
class NewsViewSet(ScopedReadOnlyViewSet):
    serializer_class = NewsItemSerializer
    filterset_class = NewsFilter
    pagination_class = NewsPagination

    def get_queryset(self) -> QuerySet[NewsItem]:
        return access.published_news(self.request.user).select_related("org")

    def get_serializer_class(self) -> Any:
        return NewsItemDetailSerializer if self.action == "retrieve" else NewsItemSerializer

    def get_object(self) -> NewsItem:
        item: NewsItem = one_or_404(self.get_queryset(), path_id(self.kwargs["pk"]))
        return item
