"""Endpoints that belong to no single app: who am I."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from juli.orgs import access
from juli.orgs.api import MeSerializer, post_rows
from juli.orgs.filters import current_post_q
from juli.orgs.models import Post, User

from .auth import API_AUTHENTICATION


class MeView(APIView):
    """The caller's account, person, roles and the posts in force today."""

    authentication_classes = API_AUTHENTICATION
    permission_classes = (IsAuthenticated,)
    serializer_class = MeSerializer

    @extend_schema(operation_id="me_retrieve", summary="The caller", responses=MeSerializer)
    def get(self, request: Request) -> Response:
        user: User = request.user  # type: ignore[assignment]  # IsAuthenticated
        person = access.access_person(user, user.person_id) if user.person_id else None
        posts = (
            post_rows(Post.objects.filter(current_post_q(), person_id=user.person_id))
            if user.person_id
            else Post.objects.none()
        )
        data = {
            "user": user,
            "person": person,
            "roles": sorted(access.roles_of(user)),
            "posts": posts.order_by("started_on", "id"),
        }
        return Response(MeSerializer(data, context={"request": request}).data)
