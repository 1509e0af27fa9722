"""Read API of the organisation system: units, party organisations, areas, people, posts.

Every list starts from `access.visible_*` and every detail from `access.access_*`, exactly as
the pages do, so the API can never show more than the screens. Lists are keyset-paginated
and fetch related names with joins or correlated subqueries: one query per page, whatever
its length.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Left
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from juli.api.base import ScopedReadOnlyViewSet
from juli.api.ids import path_id
from juli.api.pagination import TreeKeysetPagination
from juli.api.serializers import RefSerializer

from . import access
from .filters import AreaFilter, OrgFilter, PersonFilter, PostFilter, UnitFilter, current_post_q
from .models import Area, PartyOrg, Person, Post, Unit
from .roles import Role

# --- Serializers ------------------------------------------------------------------------------


class UnitSerializer(serializers.ModelSerializer):
    area = RefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Unit
        fields = ["id", "name", "kind", "code", "parent", "area", "is_active"]
        read_only_fields = fields


class OrgSerializer(serializers.ModelSerializer):
    # The metaclass pops declared fields, so "parent" does not shadow Field.parent at run time.
    parent = serializers.IntegerField(  # type: ignore[assignment]
        source="parent_pk",
        read_only=True,
        allow_null=True,
        help_text="Id of the parent organisation.",
    )
    unit = RefSerializer(read_only=True, allow_null=True)
    area = RefSerializer(read_only=True, allow_null=True)
    children_count = serializers.IntegerField(source="numchild", read_only=True)
    members_count = serializers.IntegerField(
        read_only=True, help_text="Active people whose membership is this organisation."
    )
    posts_count = serializers.IntegerField(
        read_only=True, help_text="Posts in this organisation in force today."
    )

    class Meta:
        model = PartyOrg
        fields = [
            "id",
            "name",
            "short_name",
            "kind",
            "status",
            "code",
            "parent",
            "depth",
            "unit",
            "area",
            "is_retired_members",
            "founded_on",
            "ended_at",
            "merged_into",
            "children_count",
            "members_count",
            "posts_count",
        ]
        read_only_fields = fields


class AreaSerializer(serializers.ModelSerializer):
    # The metaclass pops declared fields, so "parent" does not shadow Field.parent at run time.
    parent = serializers.IntegerField(  # type: ignore[assignment]
        source="parent_pk", read_only=True, allow_null=True, help_text="Id of the parent area."
    )
    children_count = serializers.IntegerField(source="numchild", read_only=True)

    class Meta:
        model = Area
        fields = [
            "id",
            "name",
            "kind",
            "code",
            "parent",
            "depth",
            "children_count",
            "centre_lat",
            "centre_lng",
            "is_active",
            "retired_at",
        ]
        read_only_fields = fields


class AreaDetailSerializer(AreaSerializer):
    """The detail adds the boundary, too heavy for lists."""

    class Meta(AreaSerializer.Meta):
        fields = [*AreaSerializer.Meta.fields, "boundary"]
        read_only_fields = fields


class PersonSerializer(serializers.ModelSerializer):
    # Blank for most people: the schema must allow "" beside the choices.
    gender = serializers.ChoiceField(
        choices=Person.Gender.choices, allow_blank=True, read_only=True
    )
    phone = serializers.SerializerMethodField(
        help_text="Full to roles whose work is contacting people in their scope, else masked."
    )
    unit = RefSerializer(read_only=True, allow_null=True)
    party_org = RefSerializer(read_only=True, allow_null=True)
    area = RefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Person
        fields = [
            "id",
            "name",
            "gender",
            "birth_year",
            "phone",
            "political_status",
            "occupation",
            "party_joined_on",
            "unit",
            "party_org",
            "area",
            "is_active",
            "created_at",
        ]
        read_only_fields = fields

    def get_phone(self, person: Person) -> str:
        return access.phone_for(self.context["request"].user, person)


class PostSerializer(serializers.ModelSerializer):
    person = RefSerializer(read_only=True)
    org = RefSerializer(read_only=True, allow_null=True)
    area = RefSerializer(read_only=True, allow_null=True)
    unit = RefSerializer(read_only=True, allow_null=True)
    is_current = serializers.SerializerMethodField(help_text="Started and not ended, today.")

    class Meta:
        model = Post
        fields = [
            "id",
            "person",
            "role",
            "title",
            "org",
            "area",
            "unit",
            "started_on",
            "ended_on",
            "is_current",
            "certificate_no",
        ]
        read_only_fields = fields

    def get_is_current(self, post: Post) -> bool:
        today = timezone.localdate()
        return post.started_on <= today and (post.ended_on is None or post.ended_on >= today)


class AccountSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    is_superuser = serializers.BooleanField(read_only=True)
    must_change_password = serializers.BooleanField(read_only=True)


class MeSerializer(serializers.Serializer):
    user = AccountSerializer(read_only=True)
    person = PersonSerializer(read_only=True, allow_null=True)
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.choices),
        read_only=True,
        help_text="Every role the caller holds today, from posts and branch membership.",
    )
    posts = PostSerializer(many=True, read_only=True, help_text="Posts in force today.")


# --- Querysets with what the serializers read -------------------------------------------------


def _with_parent(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """The parent's id, found by the parent's path: one unique-index lookup per row."""
    model = queryset.model
    parent = model.objects.filter(
        path=Left(OuterRef("path"), (OuterRef("depth") - 1) * model.steplen)
    ).values("pk")[:1]
    return queryset.annotate(parent_pk=Subquery(parent))


def _count(queryset: QuerySet[Any], field: str) -> Coalesce:
    counted = queryset.filter(**{field: OuterRef("pk")}).order_by().values(field)
    return Coalesce(
        Subquery(counted.annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()),
        Value(0),
    )


def org_rows(queryset: QuerySet[PartyOrg]) -> QuerySet[PartyOrg]:
    return _with_parent(queryset.select_related("unit", "area")).annotate(
        members_count=_count(Person.objects.filter(is_active=True), "party_org"),
        posts_count=_count(Post.objects.filter(current_post_q()), "org"),
    )


def area_rows(queryset: QuerySet[Area]) -> QuerySet[Area]:
    return _with_parent(queryset)


def person_rows(queryset: QuerySet[Person]) -> QuerySet[Person]:
    return queryset.select_related("unit", "party_org", "area")


def post_rows(queryset: QuerySet[Post]) -> QuerySet[Post]:
    return queryset.select_related("person", "org", "area", "unit")


# --- Viewsets ---------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Units the caller can see"),
    retrieve=extend_schema(summary="One unit"),
)
class UnitViewSet(ScopedReadOnlyViewSet):
    """Units (单位): those in the caller's areas, their own units and units owning their organisations."""

    serializer_class = UnitSerializer
    filterset_class = UnitFilter

    def get_queryset(self) -> QuerySet[Unit]:
        return access.visible_units(self.request.user).select_related("area")

    def get_object(self) -> Unit:
        return access.access_unit(self.request.user, path_id(self.kwargs["pk"]))


@extend_schema_view(
    list=extend_schema(summary="Party organisations the caller can see, in tree order"),
    retrieve=extend_schema(summary="One party organisation"),
)
class OrgViewSet(ScopedReadOnlyViewSet):
    """Party organisations (党组织) in the caller's party subtrees or attached to their areas."""

    serializer_class = OrgSerializer
    filterset_class = OrgFilter
    pagination_class = TreeKeysetPagination

    def get_queryset(self) -> QuerySet[PartyOrg]:
        return org_rows(access.visible_orgs(self.request.user))

    def get_object(self) -> PartyOrg:
        org = access.access_org(self.request.user, path_id(self.kwargs["pk"]))
        return org_rows(PartyOrg.objects.filter(pk=org.pk)).get()


@extend_schema_view(
    list=extend_schema(summary="Areas the caller can see, in tree order"),
    retrieve=extend_schema(summary="One area, with its boundary"),
)
class AreaViewSet(ScopedReadOnlyViewSet):
    """Areas (辖区/网格) in the caller's territorial subtrees."""

    filterset_class = AreaFilter
    pagination_class = TreeKeysetPagination

    def get_serializer_class(self) -> type[AreaSerializer]:
        return AreaDetailSerializer if self.action == "retrieve" else AreaSerializer

    def get_queryset(self) -> QuerySet[Area]:
        return area_rows(access.visible_areas(self.request.user))

    def get_object(self) -> Area:
        area = access.access_area(self.request.user, path_id(self.kwargs["pk"]))
        return area_rows(Area.objects.filter(pk=area.pk)).get()


@extend_schema_view(
    list=extend_schema(summary="People the caller can see"),
    retrieve=extend_schema(summary="One person"),
)
class PersonViewSet(ScopedReadOnlyViewSet):
    """People (人员) in the caller's scope; phone numbers masked unless the caller's role needs them."""

    serializer_class = PersonSerializer
    filterset_class = PersonFilter

    def get_queryset(self) -> QuerySet[Person]:
        return person_rows(access.visible_people(self.request.user))

    def get_object(self) -> Person:
        return access.access_person(self.request.user, path_id(self.kwargs["pk"]))


@extend_schema_view(
    list=extend_schema(summary="Posts the caller can see"),
    retrieve=extend_schema(summary="One post"),
)
class PostViewSet(ScopedReadOnlyViewSet):
    """Posts (职务) in the caller's organisations, areas and units, and the caller's own."""

    serializer_class = PostSerializer
    filterset_class = PostFilter

    def get_queryset(self) -> QuerySet[Post]:
        return post_rows(access.visible_posts(self.request.user))

    def get_object(self) -> Post:
        return access.access_post(self.request.user, path_id(self.kwargs["pk"]))
