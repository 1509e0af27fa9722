"""Read-only API of the weekly rankings: /api/v1/rankings/ (list) and …/<id>/ (with rows).

Scoped as the pages (`access.visible_rankings`): published rankings of the districts the
caller reads, drafts for their managers; any other id is a 404.

Rows come by level, then rank; a subject with nothing to measure in the week comes after
the ranked ones with `ranked: false` and `rank`, `total`, `band`-less (`""`), `change` and
component scores null. `tied: true` marks a shared rank (standard competition ranking).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from juli.api.base import ScopedReadOnlyViewSet
from juli.api.ids import path_id

from . import access, queries
from .models import Ranking, RankingRow


class RankingRowSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    ranked = serializers.BooleanField(
        read_only=True,
        help_text="False: nothing to measure this week; rank, total and scores are null.",
    )
    rank = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="Standard competition rank (1, 2, 2, 4); null when not ranked.",
    )
    tied = serializers.BooleanField(read_only=True, help_text="The rank is shared.")
    on_time_rate = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    verify_rate = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    zero_rate = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)

    class Meta:
        model = RankingRow
        fields = [
            "level",
            "subject_id",
            "name",
            "ranked",
            "rank",
            "tied",
            "previous_rank",
            "change",
            "band",
            "total",
            "cases",
            "inspections",
            "deduction_total",
            "due_count",
            "on_time_count",
            "on_time_rate",
            "verify_total",
            "verify_passed",
            "verify_rate",
            "repeat_count",
            "zero_points",
            "zero_clean",
            "zero_rate",
            "score_deductions",
            "score_on_time",
            "score_verification",
            "score_repeats",
            "score_zero",
        ]


class WeightsSerializer(serializers.Serializer):  # type: ignore[type-arg]
    deductions = serializers.DecimalField(max_digits=5, decimal_places=2)
    on_time = serializers.DecimalField(max_digits=5, decimal_places=2)
    verification = serializers.DecimalField(max_digits=5, decimal_places=2)
    repeats = serializers.DecimalField(max_digits=5, decimal_places=2)
    zero = serializers.DecimalField(max_digits=5, decimal_places=2)


class RankingSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    district_name = serializers.CharField(source="district.name", read_only=True)
    weights = WeightsSerializer(read_only=True)

    class Meta:
        model = Ranking
        fields = [
            "id",
            "district",
            "district_name",
            "week",
            "week_start",
            "status",
            "weights",
            "settings_version",
            "computed_at",
            "published_at",
        ]


class RankingDetailSerializer(RankingSerializer):
    rows = serializers.SerializerMethodField()

    class Meta(RankingSerializer.Meta):
        fields = [*RankingSerializer.Meta.fields, "rows"]

    @extend_schema_field(RankingRowSerializer(many=True))
    def get_rows(self, obj: Ranking) -> list[dict[str, Any]]:
        rows = queries.ordered(obj.rows.all())
        return RankingRowSerializer(rows, many=True).data  # type: ignore[return-value]


class RankingViewSet(ScopedReadOnlyViewSet):
    """Weekly rankings in your scope, newest week first; the detail carries every row."""

    queryset = Ranking.objects.none()

    def get_serializer_class(self) -> Any:
        return RankingDetailSerializer if self.action == "retrieve" else RankingSerializer

    def get_queryset(self) -> QuerySet[Ranking]:
        return access.visible_rankings(self.request.user).order_by(
            "-week_start", "district_id", "pk"
        )

    def get_object(self) -> Ranking:
        return access.access_ranking(self.request.user, path_id(self.kwargs["pk"]))
