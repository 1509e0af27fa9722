"""REST API of the duty lists, under /api/v1/.

- `duty-lists/`: the lists that bind the caller's organisations (read), created, retitled and
  copied to another year by their managers (`POST duty-lists/{id}/copy/`, refused with
  `year_exists` when that year has a list).
- `duty-posts/`, `duties/`: the posts of a list per level and their duties (read with the
  list; written by its managers). Adding the same post or the same duty text again returns
  the existing row (200 instead of 201).
- `duties/mine/`: the caller's own duties, grouped by the posts they hold.
- `duty-chains/{org_id}/`: the chain of responsibility below an organisation the caller
  oversees, with holders, duties and vacancies rolled up.

Errors are `{"detail", "code"}` as in the rest of the API: 401 not signed in, 403 visible but
not yours to change, 404 out of scope, 400 with `fields` for bad input.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from juli.api.auth import API_AUTHENTICATION
from juli.api.errors import ERRORS, READ_ERRORS
from juli.api.filters import QuerySerializer
from juli.api.ids import ID_PATTERN, path_id
from juli.api.serializers import RefSerializer
from juli.orgs.access import one_or_404, require_login_user, visible_orgs

from . import access, actions, queries
from .models import YEAR_VALIDATORS, Duty, DutyList, DutyPost, DutyPostKind, Level

# --- Serializers ------------------------------------------------------------------------------


class DutySerializer(serializers.ModelSerializer):
    class Meta:
        model = Duty
        fields = ["id", "duty_post", "category", "text", "frequency", "order"]
        read_only_fields = ["id"]


class DutyWriteSerializer(serializers.Serializer):
    duty_post = serializers.IntegerField(min_value=1, help_text="Id of the post in a list.")
    category = serializers.ChoiceField(
        choices=Duty.Category.choices, required=False, default=Duty.Category.ORGANISATIONAL
    )
    text = serializers.CharField(max_length=500)
    frequency = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    order = serializers.IntegerField(min_value=0, max_value=999, required=False)


class DutyUpdateSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=Duty.Category.choices, required=False)
    text = serializers.CharField(max_length=500, required=False)
    frequency = serializers.CharField(max_length=60, required=False, allow_blank=True)
    order = serializers.IntegerField(min_value=0, max_value=999, required=False)


class DutyPostSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]
    duties = DutySerializer(many=True, read_only=True)

    class Meta:
        model = DutyPost
        fields = [
            "id",
            "duty_list",
            "level",
            "post",
            "title",
            "label",
            "required",
            "order",
            "duties",
        ]
        read_only_fields = fields


class DutyPostWriteSerializer(serializers.Serializer):
    duty_list = serializers.IntegerField(min_value=1)
    level = serializers.ChoiceField(choices=Level.choices)
    post = serializers.ChoiceField(choices=DutyPostKind.choices)
    title = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")  # type: ignore[assignment]
    required = serializers.BooleanField(required=False, default=True)  # type: ignore[assignment]
    order = serializers.IntegerField(min_value=0, max_value=999, required=False, default=0)


class DutyPostUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=60, required=False, allow_blank=True)  # type: ignore[assignment]
    required = serializers.BooleanField(required=False)  # type: ignore[assignment]
    order = serializers.IntegerField(min_value=0, max_value=999, required=False)


class DutyListSerializer(serializers.ModelSerializer):
    owner = RefSerializer(read_only=True)
    copied_from = serializers.IntegerField(source="copied_from_id", read_only=True, allow_null=True)
    can_manage = serializers.SerializerMethodField()

    class Meta:
        model = DutyList
        fields = [
            "id",
            "owner",
            "year",
            "title",
            "note",
            "copied_from",
            "created_at",
            "updated_at",
            "can_manage",
        ]
        read_only_fields = fields

    def get_can_manage(self, duty_list: DutyList) -> bool:
        return access.can_manage_list(self.context["request"].user, duty_list)


class DutyListDetailSerializer(DutyListSerializer):
    posts = DutyPostSerializer(many=True, read_only=True)

    class Meta(DutyListSerializer.Meta):
        fields = [*DutyListSerializer.Meta.fields, "posts"]
        read_only_fields = fields


class DutyListCreateSerializer(serializers.Serializer):
    owner = serializers.IntegerField(min_value=1, help_text="Id of the issuing organisation.")
    year = serializers.IntegerField(validators=YEAR_VALIDATORS)
    title = serializers.CharField(max_length=120)  # type: ignore[assignment]
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class DutyListUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=120, required=False)  # type: ignore[assignment]
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class CopySerializer(serializers.Serializer):
    year = serializers.IntegerField(validators=YEAR_VALIDATORS)
    title = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")  # type: ignore[assignment]


class YearQuerySerializer(QuerySerializer):
    year = serializers.IntegerField(validators=YEAR_VALIDATORS, required=False)


class HeldPostSerializer(serializers.Serializer):
    org = RefSerializer()
    org_kind = serializers.CharField(source="org.kind")
    post = serializers.ChoiceField(choices=DutyPostKind.choices)
    label = serializers.CharField()  # type: ignore[assignment]
    titles = serializers.ListField(child=serializers.CharField())
    duty_list = serializers.IntegerField(source="duty_list.pk", allow_null=True, default=None)
    duties = DutySerializer(many=True)


class MyDutiesSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    posts = HeldPostSerializer(many=True)


class HolderSerializer(serializers.Serializer):
    person = RefSerializer()
    title = serializers.CharField()  # type: ignore[assignment]


class ChainRowSerializer(serializers.Serializer):
    duty_post = serializers.IntegerField(source="duty_post.pk")
    post = serializers.CharField(source="duty_post.post")
    label = serializers.CharField(source="duty_post.label")  # type: ignore[assignment]
    required = serializers.BooleanField(source="duty_post.required")  # type: ignore[assignment]
    holders = HolderSerializer(many=True)
    members = serializers.IntegerField(allow_null=True, help_text="For the member post only.")
    vacant = serializers.BooleanField()
    duties = DutySerializer(many=True)


class ChainNodeSerializer(serializers.Serializer):
    org = RefSerializer()
    org_kind = serializers.CharField(source="org.kind")
    parent = serializers.SerializerMethodField()  # type: ignore[assignment]
    depth = serializers.IntegerField(help_text="Levels below the organisation asked for.")
    duty_list = serializers.IntegerField(source="duty_list.pk", allow_null=True, default=None)
    members = serializers.IntegerField()
    vacancies = serializers.IntegerField(help_text="Required posts nobody holds here.")
    subtree_vacancies = serializers.IntegerField(help_text="Vacancies here and below.")
    rows = ChainRowSerializer(many=True)

    def get_parent(self, node: Any) -> int | None:
        return self.context["parents"].get(node.org.path[: -access.STEP])


class ChainSerializer(serializers.Serializer):
    org = RefSerializer(source="root")
    year = serializers.IntegerField()
    vacancies = serializers.IntegerField()
    nodes = ChainNodeSerializer(many=True)


# --- Views ---------------------------------------------------------------------------------------


class DutiesApiMixin(APIView):
    """Token or session sign-in (errors are the API's `{detail, code}`, juli.api.errors)."""

    authentication_classes = API_AUTHENTICATION
    permission_classes = (IsAuthenticated,)


def _year(request: Request) -> int:
    query = YearQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data.get("year") or queries.this_year()


#: The years a list may have (the model's validators), as the schema states them.
YEAR_MIN, YEAR_MAX = (int(validator.limit_value) for validator in YEAR_VALIDATORS)
YEAR_PARAM = OpenApiParameter(
    "year",
    {"type": "integer", "minimum": YEAR_MIN, "maximum": YEAR_MAX},
    description="The year (default: this year).",
)


@extend_schema(tags=["duties"])
class DutyListViewSet(
    DutiesApiMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Duty lists that bind the caller's organisations or lie below them."""

    lookup_value_regex = ID_PATTERN
    pagination_class = None

    def get_queryset(self) -> Any:
        return access.visible_lists(self.request.user).order_by("-year", "owner__path")

    def get_serializer_class(self) -> Any:
        if self.action == "retrieve":
            return DutyListDetailSerializer
        return DutyListSerializer

    def get_object(self) -> DutyList:
        duty_list = access.access_list(self.request.user, path_id(self.kwargs["pk"]))
        return (
            DutyList.objects.select_related("owner")
            .prefetch_related("posts__duties")
            .get(pk=duty_list.pk)
        )

    @extend_schema(
        request=DutyListCreateSerializer,
        responses={201: DutyListSerializer, **ERRORS},
    )
    def create(self, request: Request) -> Response:
        data = DutyListCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        owner = one_or_404(visible_orgs(request.user), path_id(data.validated_data["owner"]))
        duty_list = actions.create_list(
            require_login_user(request.user),
            owner,
            year=data.validated_data["year"],
            title=data.validated_data["title"],
            note=data.validated_data["note"],
        )
        body = DutyListSerializer(duty_list, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=DutyListUpdateSerializer, responses={200: DutyListSerializer, **ERRORS})
    def partial_update(self, request: Request, pk: str) -> Response:
        duty_list = access.access_list(request.user, path_id(pk), write=True)
        data = DutyListUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        duty_list = actions.update_list(
            require_login_user(request.user), duty_list, **data.validated_data
        )
        return Response(DutyListSerializer(duty_list, context={"request": request}).data)

    @extend_schema(
        request=CopySerializer,
        responses={
            201: DutyListSerializer,
            **ERRORS,
        },
        description="Copy every post and duty to another year. A year that already has a "
        "list is refused (400, code `year_exists`) and left as it is.",
    )
    @action(detail=True, methods=["post"])
    def copy(self, request: Request, pk: str) -> Response:
        duty_list = access.access_list(request.user, path_id(pk), write=True)
        data = CopySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        copied = actions.copy_list(
            require_login_user(request.user), duty_list, **data.validated_data
        )
        body = DutyListSerializer(copied, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)


@extend_schema(tags=["duties"])
class DutyPostViewSet(
    DutiesApiMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """A post at a level of a duty list, with its duties."""

    lookup_value_regex = ID_PATTERN
    serializer_class = DutyPostSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> Any:
        return DutyPost.objects.filter(duty_list__in=access.visible_lists(self.request.user))

    def get_object(self) -> DutyPost:
        return access.access_duty_post(self.request.user, path_id(self.kwargs["pk"]))

    @extend_schema(
        request=DutyPostWriteSerializer,
        responses={
            201: DutyPostSerializer,
            200: OpenApiResponse(DutyPostSerializer, description="The post was already there."),
            **ERRORS,
        },
    )
    def create(self, request: Request) -> Response:
        data = DutyPostWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        duty_list = access.access_list(request.user, path_id(values.pop("duty_list")), write=True)
        before = DutyPost.objects.filter(duty_list=duty_list).count()
        duty_post = actions.add_post(require_login_user(request.user), duty_list, **values)
        created = DutyPost.objects.filter(duty_list=duty_list).count() > before
        return Response(
            DutyPostSerializer(duty_post).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(request=DutyPostUpdateSerializer, responses={200: DutyPostSerializer, **ERRORS})
    def partial_update(self, request: Request, pk: str) -> Response:
        duty_post = access.access_duty_post(request.user, path_id(pk), write=True)
        data = DutyPostUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        duty_post = actions.update_post(
            require_login_user(request.user), duty_post, **data.validated_data
        )
        return Response(DutyPostSerializer(duty_post).data)

    @extend_schema(responses={204: None, **ERRORS})
    def destroy(self, request: Request, pk: str) -> Response:
        duty_post = access.access_duty_post(request.user, path_id(pk), write=True)
        actions.remove_post(require_login_user(request.user), duty_post)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["duties"])
class DutyViewSet(
    DutiesApiMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """One duty of a post."""

    lookup_value_regex = ID_PATTERN
    serializer_class = DutySerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> Any:
        return Duty.objects.filter(duty_post__duty_list__in=access.visible_lists(self.request.user))

    def get_object(self) -> Duty:
        return access.access_duty(self.request.user, path_id(self.kwargs["pk"]))

    @extend_schema(
        request=DutyWriteSerializer,
        responses={
            201: DutySerializer,
            200: OpenApiResponse(DutySerializer, description="The same duty was already there."),
            **ERRORS,
        },
    )
    def create(self, request: Request) -> Response:
        data = DutyWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        duty_post = access.access_duty_post(
            request.user, path_id(values.pop("duty_post")), write=True
        )
        before = Duty.objects.filter(duty_post=duty_post).count()
        duty = actions.add_duty(require_login_user(request.user), duty_post, **values)
        created = Duty.objects.filter(duty_post=duty_post).count() > before
        return Response(
            DutySerializer(duty).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(request=DutyUpdateSerializer, responses={200: DutySerializer, **ERRORS})
    def partial_update(self, request: Request, pk: str) -> Response:
        duty = access.access_duty(request.user, path_id(pk), write=True)
        data = DutyUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        duty = actions.update_duty(require_login_user(request.user), duty, **data.validated_data)
        return Response(DutySerializer(duty).data)

    @extend_schema(responses={204: None, **ERRORS})
    def destroy(self, request: Request, pk: str) -> Response:
        duty = access.access_duty(request.user, path_id(pk), write=True)
        actions.remove_duty(require_login_user(request.user), duty)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyDutiesView(DutiesApiMixin):
    @extend_schema(
        tags=["duties"],
        parameters=[YEAR_PARAM],
        responses={200: MyDutiesSerializer, **READ_ERRORS},
        description="The caller's duties: one entry per post held today (membership and "
        "business-leader designations included), each with the duties its list gives it.",
    )
    def get(self, request: Request) -> Response:
        year = _year(request)
        user: Any = request.user
        held = queries.person_duties(user.person if user.person_id else None, year)
        return Response(MyDutiesSerializer({"year": year, "posts": held}).data)


class ChainView(DutiesApiMixin):
    @extend_schema(
        tags=["duties"],
        parameters=[YEAR_PARAM],
        responses={200: ChainSerializer, **READ_ERRORS},
        description="The chain of responsibility from an organisation the caller oversees "
        "down its subtree: per organisation each listed post, its holders, its duties and "
        "whether it is vacant; vacancies rolled up the tree.",
    )
    def get(self, request: Request, org_id: str) -> Response:
        org = access.access_chain_org(request.user, path_id(org_id))
        chain = queries.build_chain(org, _year(request))
        parents = {node.org.path: node.org.pk for node in chain.nodes}
        return Response(ChainSerializer(chain, context={"parents": parents}).data)
