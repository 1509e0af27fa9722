"""Query-string filters for the organisation endpoints.

Filters narrow a queryset that already starts from `visible_*`; none of them can widen it.
Ids are taken as plain numbers, never validated against a table, so a filter cannot tell
whether an id outside the caller's scope exists.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field

from juli.api.filters import ApiFilterSet, BooleanFilter

from . import roles
from .models import Area, PartyOrg, Person, Post, Unit
from .search import normalise_query


class BigIntegerField(forms.IntegerField):
    """An integer that fits a 64-bit column: a larger one is a 400, not a driver overflow."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", -(2**63))
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "integer", "minimum": -(2**63), "maximum": 2**63 - 1})
class IntegerFilter(django_filters.NumberFilter):
    """A whole number (an id, a depth): "3.5" or "abc" is a 400, not a silent match."""

    field_class = BigIntegerField


def current_post_q() -> Q:
    """Posts in force today: the same rule `access.scope_of` grants rights by."""
    today = timezone.localdate()
    return Q(started_on__lte=today) & (Q(ended_on__isnull=True) | Q(ended_on__gte=today))


def _search(queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
    key = normalise_query(value)
    return queryset.filter(search_key__contains=key) if key else queryset


def _children(queryset: QuerySet[Any], name: str, value: int) -> QuerySet[Any]:
    """Direct children of node `value` of the same tree: one indexed path-prefix range."""
    model = queryset.model
    parent_path = model.objects.filter(pk=value).values_list("path", flat=True).first()
    if parent_path is None:
        return queryset.none()
    return queryset.filter(
        path__startswith=parent_path, depth=len(parent_path) // model.steplen + 1
    )


class UnitFilter(ApiFilterSet):
    kind = django_filters.ChoiceFilter(choices=Unit.Kind.choices)
    q = django_filters.CharFilter(method=_search, label="Search by name (hanzi or pinyin)")

    class Meta:
        model = Unit
        fields: list[str] = []


class OrgFilter(ApiFilterSet):
    kind = django_filters.ChoiceFilter(choices=PartyOrg.Kind.choices)
    status = django_filters.ChoiceFilter(choices=PartyOrg.Status.choices)
    parent = IntegerFilter(method=_children, label="Children of this organisation")
    depth = IntegerFilter(label="Depth in the party tree (1 = top level)")
    q = django_filters.CharFilter(method=_search, label="Search by name, short name or code")

    class Meta:
        model = PartyOrg
        fields: list[str] = []


class AreaFilter(ApiFilterSet):
    kind = django_filters.ChoiceFilter(choices=Area.Kind.choices)
    parent = IntegerFilter(method=_children, label="Children of this area")
    depth = IntegerFilter(label="Depth in the territorial tree (1 = district)")
    q = django_filters.CharFilter(method=_search, label="Search by name or code")

    class Meta:
        model = Area
        fields: list[str] = []


class PersonFilter(ApiFilterSet):
    q = django_filters.CharFilter(method=_search, label="Search by name (hanzi or pinyin)")
    political_status = django_filters.ChoiceFilter(choices=Person.PoliticalStatus.choices)
    occupation = django_filters.ChoiceFilter(choices=Person.Occupation.choices)
    party_org = IntegerFilter(field_name="party_org", label="Members of this party organisation")
    area = IntegerFilter(field_name="area", label="Living or working in this area")

    class Meta:
        model = Person
        fields: list[str] = []


class PostFilter(ApiFilterSet):
    role = django_filters.ChoiceFilter(choices=roles.Role.choices)
    person = IntegerFilter(field_name="person", label="Posts of this person")
    org = IntegerFilter(field_name="org", label="Posts in this organisation")
    area = IntegerFilter(field_name="area", label="Posts in this area")
    current = BooleanFilter(
        method="filter_current", label="true: in force today; false: ended or not yet started"
    )

    class Meta:
        model = Post
        fields: list[str] = []

    def filter_current(self, queryset: QuerySet[Post], name: str, value: bool) -> QuerySet[Post]:
        return queryset.filter(current_post_q()) if value else queryset.exclude(current_post_q())
