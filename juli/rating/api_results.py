"""API of branch rating: the results part (included by api_urls.py).

| endpoint | what |
|---|---|
| `GET rating/rounds/<id>/results/` | the round's ranking (`results.round_table`) and its star distribution |
| `GET rating/branches/<org_id>/history/` | one branch's score, stars, rank and star changes per round |

Scoped like the pages (`views_results`): outside the round's subtree 404; inside it but
not running the round, 403 while the round is open, and only the public rows after.
"""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from juli.api.auth import API_AUTHENTICATION
from juli.api.errors import ERRORS

from . import results
from .access import can_run_round
from .views_results import history_assessments, results_round


class RatingOrgRef(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class RatingCategoryCell(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    name = serializers.CharField()
    points = serializers.DecimalField(max_digits=8, decimal_places=2)
    maximum = serializers.DecimalField(
        max_digits=8, decimal_places=2, help_text="0: no criterion of it applies."
    )


class RatingStarChange(serializers.Serializer):  # type: ignore[type-arg]
    from_stars = serializers.IntegerField()
    to_stars = serializers.IntegerField()
    reason = serializers.CharField()
    decision_ref = serializers.CharField()
    decided_on = serializers.DateField()


class RatingResultRow(serializers.Serializer):  # type: ignore[type-arg]
    assessment = serializers.IntegerField()
    org = RatingOrgRef()
    status = serializers.CharField()
    rank = serializers.IntegerField(allow_null=True)
    mark = serializers.ChoiceField(choices=["top", "bottom", ""])
    score = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    basis = serializers.ChoiceField(
        choices=["reviewed", "self"], help_text="Reviewed score, or the self-assessed one."
    )
    stars = serializers.IntegerField(allow_null=True, help_text="In force once published.")
    categories = RatingCategoryCell(many=True)
    vetoes = serializers.ListField(child=serializers.CharField())
    star_changes = RatingStarChange(many=True)
    movement = serializers.ChoiceField(choices=["new", "same", "up", "down", ""])
    rank_change = serializers.IntegerField(
        allow_null=True, help_text="Places up since last year (negative: down)."
    )
    last_rank = serializers.IntegerField(allow_null=True)
    last_stars = serializers.IntegerField(allow_null=True)


class RatingStarBucket(serializers.Serializer):  # type: ignore[type-arg]
    stars = serializers.IntegerField()
    count = serializers.IntegerField()


class RatingResultsSerializer(serializers.Serializer):  # type: ignore[type-arg]
    round = serializers.IntegerField()
    title = serializers.CharField()
    year = serializers.IntegerField()
    status = serializers.CharField()
    organiser = RatingOrgRef()
    basis = serializers.ChoiceField(choices=["reviewed", "self", "mixed", ""])
    public_only = serializers.BooleanField(help_text="Only the rows on notice or published.")
    previous_round = serializers.IntegerField(allow_null=True)
    rows = RatingResultRow(many=True)
    distribution = RatingStarBucket(many=True)


class RatingHistoryLine(serializers.Serializer):  # type: ignore[type-arg]
    round = serializers.IntegerField()
    year = serializers.IntegerField()
    title = serializers.CharField()
    assessment = serializers.IntegerField()
    status = serializers.CharField()
    score = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    basis = serializers.ChoiceField(choices=["reviewed", "self"])
    stars = serializers.IntegerField(allow_null=True)
    rank = serializers.IntegerField(allow_null=True)
    of = serializers.IntegerField(help_text="Branches ranked in the round.")
    vetoes = serializers.ListField(child=serializers.CharField())
    star_changes = RatingStarChange(many=True)


class RatingHistorySerializer(serializers.Serializer):  # type: ignore[type-arg]
    org = RatingOrgRef()
    lines = RatingHistoryLine(many=True)


def _org(org: Any) -> dict[str, Any]:
    return {"id": org.pk, "code": org.code, "name": org.name}


def _changes(changes: Any) -> list[dict[str, Any]]:
    return [
        {
            "from_stars": c.from_stars,
            "to_stars": c.to_stars,
            "reason": c.reason,
            "decision_ref": c.decision_ref,
            "decided_on": c.decided_on,
        }
        for c in changes
    ]


def _movement(row: results.Row) -> str:
    if row.is_new:
        return "new"
    change = row.rank_change
    if change is None:
        return ""
    return "up" if change > 0 else "down" if change < 0 else "same"


def table_json(table: results.Table) -> dict[str, Any]:
    r = table.round
    return {
        "round": r.pk,
        "title": r.title,
        "year": r.year,
        "status": r.status,
        "organiser": _org(r.org),
        "basis": table.basis,
        "public_only": table.public_only,
        "previous_round": table.previous.pk if table.previous else None,
        "rows": [
            {
                "assessment": row.assessment.pk,
                "org": _org(row.org),
                "status": row.assessment.status,
                "rank": row.rank,
                "mark": row.mark,
                "score": row.score,
                "basis": row.basis,
                "stars": row.stars,
                "categories": [
                    {
                        "id": c.category.pk,
                        "name": c.category.name,
                        "points": c.points,
                        "maximum": c.maximum,
                    }
                    for c in row.categories
                ],
                "vetoes": [str(v.veto) for v in row.vetoes],
                "star_changes": _changes(row.star_changes),
                "movement": _movement(row),
                "rank_change": row.rank_change,
                "last_rank": row.last_rank,
                "last_stars": row.last_stars,
            }
            for row in table.all_rows
        ],
        "distribution": [{"stars": s, "count": n} for s, n in table.distribution],
    }


class ResultsView(APIView):
    """The ranking of a rating round, with the star distribution."""

    authentication_classes = API_AUTHENTICATION
    permission_classes = (IsAuthenticated,)
    serializer_class = RatingResultsSerializer

    @extend_schema(
        operation_id="rating_round_results",
        summary="Ranking and star distribution of a rating round",
        responses={200: RatingResultsSerializer, 403: ERRORS[403], 404: ERRORS[404]},
    )
    def get(self, request: Request, pk: int) -> Response:
        round_, public_only = results_round(request.user, pk)
        table = results.round_table(round_, public_only=public_only)
        return Response(RatingResultsSerializer(table_json(table)).data)


class HistoryView(APIView):
    """A branch's rating over the years."""

    authentication_classes = API_AUTHENTICATION
    permission_classes = (IsAuthenticated,)
    serializer_class = RatingHistorySerializer

    @extend_schema(
        operation_id="rating_branch_history",
        summary="A branch's rating history",
        responses={200: RatingHistorySerializer, 404: ERRORS[404]},
    )
    def get(self, request: Request, org_id: int) -> Response:
        org, items = history_assessments(request.user, org_id)
        run = {a.round_id for a in items if can_run_round(request.user, a.round)}
        lines = results.branch_history(items, run)
        data = {
            "org": _org(org),
            "lines": [
                {
                    "round": line.round.pk,
                    "year": line.round.year,
                    "title": line.round.title,
                    "assessment": line.assessment.pk,
                    "status": line.assessment.status,
                    "score": line.figure.score,
                    "basis": line.figure.basis,
                    "stars": line.figure.stars,
                    "rank": line.rank,
                    "of": line.of,
                    "vetoes": [str(v.veto) for v in line.vetoes],
                    "star_changes": _changes(line.star_changes),
                }
                for line in lines
            ],
        }
        return Response(RatingHistorySerializer(data).data)


urlpatterns = [
    path("rating/rounds/<int:pk>/results/", ResultsView.as_view(), name="api-rating-round-results"),
    path(
        "rating/branches/<int:org_id>/history/",
        HistoryView.as_view(),
        name="api-rating-branch-history",
    ),
]
