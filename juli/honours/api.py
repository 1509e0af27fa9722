"""REST endpoints of honours, under /api/v1/honours/.

| endpoint | what |
|---|---|
| `GET honours/kinds/` | honour kinds you see |
| `GET honours/calls/`, `GET honours/calls/{id}/` | calls you see, with quota and places left |
| `GET honours/calls/{id}/nominations/` | the call's nominations you see (runners: all; nominators: theirs) |
| `POST honours/calls/{id}/nominations/` | nominate (`Idempotency-Key` header: a replay answers the stored response); 400 `over_quota`, `duplicate`, `outside_subtree`; 403 nominator not allowed |
| `POST honours/nominations/{id}/review/` | `decision` accept/reject with `reason` |
| `POST honours/calls/{id}/{close,confer,publish}/` | the call's steps (409 `illegal_state`) |
| `GET honours/honours/`, `GET honours/honours/{id}/` | honours you see, with the verification code |
| `GET honours/honours/{id}/certificate/` | the certificate PDF |
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from juli.api.base import ScopedReadOnlyViewSet
from juli.api.errors import ERRORS as API_ERRORS
from juli.api.errors import ApiErrorSerializer, api_exception_handler, error
from juli.api.fields import TextField, WholeNumberField
from juli.api.ids import MAX_ID, path_id
from juli.api.once import respond_once
from juli.api.serializers import RefSerializer
from juli.core import idempotency
from juli.core.verification import verification_code
from juli.orgs.access import require_login_user
from juli.orgs.models import PartyOrg, Person

from . import access, actions, queries
from .documents import certificate_pdf
from .models import Honour, HonourCall, HonourKind, Nomination

ERRORS = {
    **API_ERRORS,
    409: OpenApiResponse(ApiErrorSerializer, description="Not allowed in the current state."),
}


def honours_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, actions.HonourError) and getattr(exc, "code", "") == "illegal_state":
        return error(" ".join(exc.messages), "illegal_state", status.HTTP_409_CONFLICT)
    if isinstance(exc, actions.HonourError) and hasattr(exc, "error_dict"):
        return error(" ".join(exc.messages), exc.code or "invalid", 400, exc.message_dict)
    return api_exception_handler(exc, context)


class HonourKindSerializer(serializers.ModelSerializer):
    org = RefSerializer()
    nominators = serializers.SerializerMethodField()

    class Meta:
        model = HonourKind
        fields = [
            "id",
            "org",
            "name",
            "code",
            "target",
            "description",
            "criteria",
            "default_quota",
            "nominators",
        ]
        read_only_fields = fields

    def get_nominators(self, obj: HonourKind) -> list[int]:
        return [o.pk for o in obj.nominators.all()]


class HonourCallSerializer(serializers.ModelSerializer):
    kind = RefSerializer()
    call_status = serializers.CharField(source="status")
    places_left = serializers.SerializerMethodField()

    class Meta:
        model = HonourCall
        fields = [
            "id",
            "kind",
            "year",
            "quota",
            "per_nominator_quota",
            "nominate_until",
            "call_status",
            "conferred_on",
            "published_at",
            "places_left",
        ]
        read_only_fields = fields

    def get_places_left(self, obj: HonourCall) -> int:
        return queries.figures(obj).left


class HonourNominationSerializer(serializers.ModelSerializer):
    nominator = RefSerializer()
    nomination_status = serializers.CharField(source="status")

    class Meta:
        model = Nomination
        fields = [
            "id",
            "call",
            "nominator",
            "nominee_org",
            "nominee_person",
            "nominee_name",
            "reason",
            "assessment",
            "nomination_status",
            "review_reason",
            "created_at",
        ]
        read_only_fields = fields


class HonourNominateSerializer(serializers.Serializer):
    nominator = WholeNumberField(min_value=1, max_value=MAX_ID)
    nominee_org = WholeNumberField(min_value=1, max_value=MAX_ID, required=False, allow_null=True)
    nominee_person = WholeNumberField(
        min_value=1, max_value=MAX_ID, required=False, allow_null=True
    )
    reason = TextField(max_length=2000)


class HonourReviewSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["accept", "reject"])
    reason = TextField(max_length=500, required=False, allow_blank=True, default="")


class HonourSerializer(serializers.ModelSerializer):
    call = HonourCallSerializer()
    honour_status = serializers.CharField(source="status")
    verification_code = serializers.SerializerMethodField()

    class Meta:
        model = Honour
        fields = [
            "id",
            "call",
            "org",
            "person",
            "holder_name",
            "number",
            "conferred_on",
            "published_at",
            "honour_status",
            "verification_code",
            "revoke_reason",
            "decision_ref",
        ]
        read_only_fields = fields

    def get_verification_code(self, obj: Honour) -> str:
        return verification_code(obj)


class KindViewSet(ScopedReadOnlyViewSet):
    serializer_class = HonourKindSerializer

    def get_queryset(self) -> Any:
        return access.visible_kinds(self.request.user).prefetch_related("nominators")

    def get_object(self) -> HonourKind:
        return access.access_kind(self.request.user, path_id(self.kwargs["pk"]))


class CallViewSet(ScopedReadOnlyViewSet):
    serializer_class = HonourCallSerializer

    def get_exception_handler(self) -> Any:
        return honours_exception_handler

    def get_queryset(self) -> Any:
        return access.visible_calls(self.request.user)

    def get_object(self) -> HonourCall:
        return access.access_call(self.request.user, path_id(self.kwargs["pk"]))

    @extend_schema(
        methods=["GET"],
        responses={200: HonourNominationSerializer(many=True), **ERRORS},
        summary="A call's nominations",
    )
    @extend_schema(
        methods=["POST"],
        request=HonourNominateSerializer,
        responses={201: HonourNominationSerializer, **ERRORS},
        summary="Nominate",
        description="Nominates one organisation or person (as the kind says). Over the quota, "
        "a duplicate or a nominee outside the nominator's subtree: 400 with its code; a "
        "nominator not allowed: 403. An `Idempotency-Key` header makes a replay answer the "
        "stored response.",
    )
    @action(detail=True, methods=["get", "post"], parser_classes=[JSONParser])
    def nominations(self, request: Request, pk: str | None = None) -> Response:
        user = require_login_user(request.user)
        call = self.get_object()
        if request.method == "GET":
            rows = access.visible_nominations(user).filter(call=call).order_by("nominee_path", "pk")
            return Response(HonourNominationSerializer(rows[:1000], many=True).data)
        body = HonourNominateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        nominator = access.nominating_orgs(user, call.kind).filter(pk=data["nominator"]).first()
        if nominator is None:
            raise PermissionDenied(_("Your posts do not allow nominating for this organisation."))
        org = person = None
        if data.get("nominee_org"):
            org = PartyOrg.objects.filter(pk=data["nominee_org"]).first()
        if data.get("nominee_person"):
            person = Person.objects.filter(pk=data["nominee_person"]).first()
        key = idempotency.resolve_key(request.headers.get(idempotency.HEADER), None) or uuid.uuid4()

        def run() -> idempotency.Outcome:
            made = actions.nominate(
                user,
                call,
                nominator=nominator,
                nominee_org=org,
                nominee_person=person,
                reason=data["reason"],
            )
            return idempotency.Outcome(
                status.HTTP_201_CREATED, HonourNominationSerializer(made).data
            )

        return respond_once(request, user, key, run)

    def _step(self, request: Request, fn: Any) -> Response:
        user = require_login_user(request.user)
        call = access.access_call(user, path_id(self.kwargs["pk"]), write=True)
        return Response(HonourCallSerializer(fn(user, call)).data)

    @extend_schema(
        request=None, responses={200: HonourCallSerializer, **ERRORS}, summary="Close nominations"
    )
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        return self._step(request, actions.close_nominations)

    @extend_schema(request=None, responses={200: HonourCallSerializer, **ERRORS}, summary="Confer")
    @action(detail=True, methods=["post"])
    def confer(self, request: Request, pk: str | None = None) -> Response:
        return self._step(request, actions.confer)

    @extend_schema(request=None, responses={200: HonourCallSerializer, **ERRORS}, summary="Publish")
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        return self._step(request, actions.publish)


class NominationViewSet(ScopedReadOnlyViewSet):
    serializer_class = HonourNominationSerializer

    def get_exception_handler(self) -> Any:
        return honours_exception_handler

    def get_queryset(self) -> Any:
        return access.visible_nominations(self.request.user)

    def get_object(self) -> Nomination:
        return access.access_nomination(self.request.user, path_id(self.kwargs["pk"]))

    @extend_schema(
        request=HonourReviewSerializer,
        responses={200: HonourNominationSerializer, **ERRORS},
        summary="Accept or reject a nomination",
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser])
    def review(self, request: Request, pk: str | None = None) -> Response:
        user = require_login_user(request.user)
        nomination = self.get_object()
        if not access.can_run(user, nomination.call.org_path):
            raise PermissionDenied
        body = HonourReviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        done = actions.review(
            user,
            nomination,
            accept=body.validated_data["decision"] == "accept",
            reason=body.validated_data["reason"],
        )
        return Response(HonourNominationSerializer(done).data)


class HonourViewSet(ScopedReadOnlyViewSet):
    serializer_class = HonourSerializer

    def get_queryset(self) -> Any:
        return access.visible_honours(self.request.user).order_by("-call__year", "number")

    def get_object(self) -> Honour:
        return access.access_honour(self.request.user, path_id(self.kwargs["pk"]))

    @extend_schema(
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, **ERRORS},
        summary="The honour's certificate (PDF)",
    )
    @action(detail=True, methods=["get"])
    def certificate(self, request: Request, pk: str | None = None) -> HttpResponse:
        honour = self.get_object()
        response = HttpResponse(certificate_pdf(honour, request), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="honour-{honour.number}.pdf"'
        return response
