"""REST API of responsibility letters, under /api/v1/.

Reads start from `access.visible_letters` (the same scope as the pages: both parties and the
issuer's ancestors; a sibling branch gets 404); writes call `actions` and nothing else.

| endpoint | what |
|---|---|
| `GET letters/`, `GET letters/{id}/` | letters with progress, signatures and the verification code |
| `POST letters/{id}/issue/` | issue a draft (issuer staff) |
| `POST letters/{id}/sign/` | sign for a side: `method` drawn (PNG data URL in `image`) or password; `client_uuid` makes a replay return the same signature |
| `GET letters/{id}/assessment/` | the items with evidence, scores and the pre-filled suggestions |
| `POST letters/{id}/self-assessment/` | the receiver's scores (`submit` hands them over) |
| `POST letters/{id}/review/` | the issuer's scores (`finish` fixes total and grade) |
| `POST letters/{id}/publish/` | publish the result |
| `GET letter-items/`, `GET letter-items/{id}/` | items (filter `letter`) |
| `GET/POST evidence/`, `GET/DELETE evidence/{id}/` | evidence: a note, a file (multipart) or a linked record (`record_kind` + `record_id`) |

Errors are `{"detail", "code"}`: 400 (a rule: `invalid_score`, `reason_required`, `blank`,
`not_png`, `wrong_password` …), 401, 403 (`permission_denied`: not your post), 404
(`not_found`: outside your scope), 409 (`illegal_state`, `already_signed`,
`idempotency_conflict`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from juli.api.base import ScopedReadOnlyViewSet
from juli.api.errors import ERRORS as API_ERRORS
from juli.api.errors import ApiErrorSerializer, api_exception_handler, error
from juli.api.ids import path_id
from juli.core import records
from juli.core.models import EvidenceLink
from juli.orgs.access import require_login_user

from . import access, actions, integrity, queries
from .models import Evidence, Letter, LetterItem, Signature

#: A record entry's link, with its kind, for the evidence answers.
RECORD_LINKS = EvidenceLink.objects.select_related("record_type")

ERRORS = {
    **API_ERRORS,
    409: OpenApiResponse(ApiErrorSerializer, description="Not allowed in the current state."),
}
CONFLICT_CODES = {"illegal_state", "already_signed", "idempotency_conflict"}


def letters_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, actions.LetterError) and getattr(exc, "code", "") in CONFLICT_CODES:
        return error(" ".join(exc.messages), str(exc.code), status.HTTP_409_CONFLICT)
    return api_exception_handler(exc, context)


class LettersApiMixin:
    def get_exception_handler(self) -> Callable[..., Response | None]:
        return letters_exception_handler


# --- Serializers ------------------------------------------------------------------------------


class OrgRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class SignatureSerializer(serializers.ModelSerializer):
    person = serializers.CharField(source="person.name")
    image_url = serializers.SerializerMethodField()

    class Meta:
        model = Signature
        fields = [
            "id",
            "side",
            "person",
            "post",
            "method",
            "second_factor",
            "signed_at",
            "content_hash",
            "image_url",
        ]

    def get_image_url(self, obj: Signature) -> str:
        from django.urls import reverse

        return reverse("letter-signature", args=[obj.pk]) if obj.image else ""


class ItemSerializer(serializers.ModelSerializer):
    evidence: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )

    class Meta:
        model = LetterItem
        fields = [
            "id",
            "letter",
            "section",
            "order",
            "content",
            "indicator",
            "points",
            "evidence_hint",
            "specific",
            "self_score",
            "self_remark",
            "review_score",
            "review_reason",
            "evidence",
        ]


class LetterSerializer(serializers.ModelSerializer):
    issuer_org = OrgRefSerializer()
    receiver_org = OrgRefSerializer()
    signatures = serializers.SerializerMethodField()
    verification_code = serializers.SerializerMethodField()
    item_count = serializers.IntegerField(read_only=True)
    evidenced_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Letter
        fields = [
            "id",
            "year",
            "title",
            "preamble",
            "status",
            "issuer_org",
            "receiver_org",
            "issuer_post",
            "receiver_post",
            "content_hash",
            "frozen_at",
            "issued_at",
            "signed_at",
            "self_total",
            "final_total",
            "grade",
            "published_at",
            "item_count",
            "evidenced_count",
            "signatures",
            "verification_code",
        ]

    @extend_schema_field(SignatureSerializer(many=True))
    def get_signatures(self, obj: Letter) -> Any:
        return SignatureSerializer(
            [s for s in obj.signatures.all() if s.voided_at is None], many=True
        ).data

    def get_verification_code(self, obj: Letter) -> str:
        return integrity.verification_code(obj)


class EvidenceSerializer(serializers.ModelSerializer):
    record_kind = serializers.SerializerMethodField()
    record_id = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = [
            "id",
            "letter",
            "kind",
            "title",
            "note",
            "happened_on",
            "file_name",
            "file_type",
            "file_size",
            "file_sha256",
            "record_kind",
            "record_id",
            "items",
            "added_at",
        ]

    @staticmethod
    def _link(obj: Evidence) -> Any:
        """The entry's record link (prefetched by the viewset), or None."""
        links = list(obj.record_links.all())
        return links[0] if links else None

    def get_record_kind(self, obj: Evidence) -> str:
        link = self._link(obj)
        return f"{link.record_type.app_label}.{link.record_type.model}" if link else ""

    def get_record_id(self, obj: Evidence) -> int | None:
        link = self._link(obj)
        return link.record_id if link else None


class EvidenceCreateSerializer(serializers.Serializer):
    letter = serializers.IntegerField(min_value=1)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")
    happened_on = serializers.DateField(required=False)
    items = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1)
    file = serializers.FileField(required=False)
    record_kind = serializers.ChoiceField(choices=[], required=False)
    record_id = serializers.IntegerField(min_value=1, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["record_kind"].choices = sorted(records.kinds())  # type: ignore[attr-defined]


class EvidenceNoteSerializer(EvidenceCreateSerializer):
    """Evidence sent as JSON or a plain form: a note or a linked record, no file."""

    file = None  # type: ignore[assignment]


class SignInputSerializer(serializers.Serializer):
    side = serializers.ChoiceField(choices=Signature.Side.choices)
    method = serializers.ChoiceField(choices=Signature.Method.choices)
    image = serializers.CharField(required=False, allow_blank=True, default="")
    password = serializers.CharField(required=False, allow_blank=True, default="")
    otp = serializers.CharField(required=False, allow_blank=True, default="")
    client_uuid = serializers.UUIDField(required=False)


class ScoreInputSerializer(serializers.Serializer):
    item = serializers.IntegerField(min_value=1)
    score = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    remark = serializers.CharField(required=False, allow_blank=True, default="")


class AssessInputSerializer(serializers.Serializer):
    scores = ScoreInputSerializer(many=True)
    remark = serializers.CharField(required=False, allow_blank=True, default="")
    submit = serializers.BooleanField(required=False, default=False)


class AssessmentItemSerializer(serializers.Serializer):
    item = ItemSerializer()
    evidence = serializers.ListField(child=serializers.CharField())
    suggested_score = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    suggested_remark = serializers.CharField()


class AssessmentSerializer(serializers.Serializer):
    letter = serializers.IntegerField()
    status = serializers.CharField()
    full_points = serializers.DecimalField(max_digits=6, decimal_places=1)
    self_total = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    final_total = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    grade = serializers.CharField()
    items = AssessmentItemSerializer(many=True)


# --- Viewsets ---------------------------------------------------------------------------------


class LetterViewSet(LettersApiMixin, ScopedReadOnlyViewSet):
    serializer_class = LetterSerializer
    # The scores nest objects, which a form cannot carry: JSON (signing takes a form too).
    parser_classes = [JSONParser]

    def get_queryset(self) -> QuerySet[Letter]:
        qs = queries.with_progress(access.visible_letters(self.request.user)).prefetch_related(
            "signatures__person"
        )
        year = self.request.query_params.get("year", "")
        if year.isdigit():
            qs = qs.filter(year=int(year))
        return qs.order_by("-id")

    def get_object(self) -> Letter:
        letter = self.get_queryset().filter(pk=path_id(self.kwargs["pk"])).first()
        if letter is None:
            raise Http404
        return letter

    def _detail(self, letter: Letter, http: int = 200) -> Response:
        fresh = self.get_queryset().get(pk=letter.pk)
        return Response(LetterSerializer(fresh).data, status=http)

    @extend_schema(request=None, responses={200: LetterSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def issue(self, request: Request, pk: str) -> Response:
        letter = access.access_letter(request.user, path_id(pk))
        actions.issue_letter(require_login_user(request.user), letter)
        return self._detail(letter)

    @extend_schema(request=SignInputSerializer, responses={201: SignatureSerializer, **ERRORS})
    @action(detail=True, methods=["post"], parser_classes=[JSONParser, FormParser])
    def sign(self, request: Request, pk: str) -> Response:
        letter = access.access_letter(request.user, path_id(pk))
        body = SignInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        signature = actions.sign_letter(
            request.user,  # type: ignore[arg-type]
            letter,
            data["side"],
            method=data["method"],
            image=data["image"],
            password=data["password"],
            otp=data["otp"],
            client_uuid=data.get("client_uuid"),
        )
        return Response(SignatureSerializer(signature).data, status=status.HTTP_201_CREATED)

    def _assessment(self, letter: Letter) -> dict[str, Any]:
        views = queries.items_with_evidence(letter)
        return {
            "letter": letter.pk,
            "status": letter.status,
            "full_points": sum((v.item.points for v in views), 0),
            "self_total": letter.self_total,
            "final_total": letter.final_total,
            "grade": letter.grade,
            "items": [
                {
                    "item": v.item,
                    "evidence": [e.title for e in v.evidence],
                    "suggested_score": v.suggested_score,
                    "suggested_remark": v.suggested_remark,
                }
                for v in views
            ],
        }

    @extend_schema(responses={200: AssessmentSerializer, **ERRORS})
    @action(detail=True, methods=["get"])
    def assessment(self, request: Request, pk: str) -> Response:
        letter = access.access_letter(request.user, path_id(pk))
        return Response(AssessmentSerializer(self._assessment(letter)).data)

    def _scores(self, request: Request) -> tuple[dict[int, tuple[Any, str]], str, bool]:
        body = AssessInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        scores = {s["item"]: (s["score"], s["remark"]) for s in data["scores"]}
        return scores, data["remark"], data["submit"]

    @extend_schema(request=AssessInputSerializer, responses={200: AssessmentSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="self-assessment")
    def self_assessment(self, request: Request, pk: str) -> Response:
        letter = access.access_letter(request.user, path_id(pk))
        scores, remark, submit = self._scores(request)
        actions.save_self_assessment(
            require_login_user(request.user), letter, scores, remark=remark, submit=submit
        )
        letter.refresh_from_db()
        return Response(AssessmentSerializer(self._assessment(letter)).data)

    @extend_schema(
        request=AssessInputSerializer,
        responses={200: AssessmentSerializer, **ERRORS},
        description="`submit: true` finishes the review: the total and the grade are fixed.",
    )
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str) -> Response:
        letter = access.access_letter(request.user, path_id(pk))
        scores, remark, finish = self._scores(request)
        actions.save_review(
            require_login_user(request.user), letter, scores, remark=remark, finish=finish
        )
        letter.refresh_from_db()
        return Response(AssessmentSerializer(self._assessment(letter)).data)

    @extend_schema(request=None, responses={200: LetterSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str) -> Response:
        letter = access.access_letter(request.user, path_id(pk))
        actions.publish(require_login_user(request.user), letter)
        return self._detail(letter)


class LetterItemViewSet(LettersApiMixin, ScopedReadOnlyViewSet):
    serializer_class = ItemSerializer

    def get_queryset(self) -> QuerySet[LetterItem]:
        qs = LetterItem.objects.filter(
            letter__in=access.visible_letters(self.request.user)
        ).prefetch_related("evidence")
        letter = self.request.query_params.get("letter", "")
        if letter.isdigit():
            qs = qs.filter(letter_id=int(letter))
        return qs.order_by("-id")

    def get_object(self) -> LetterItem:
        item = self.get_queryset().filter(pk=path_id(self.kwargs["pk"])).first()
        if item is None:
            raise Http404
        return item


class EvidenceViewSet(
    LettersApiMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, ScopedReadOnlyViewSet
):
    serializer_class = EvidenceSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[Evidence]:
        qs = Evidence.objects.filter(
            letter__in=access.visible_letters(self.request.user)
        ).prefetch_related("items", Prefetch("record_links", queryset=RECORD_LINKS))
        letter = self.request.query_params.get("letter", "")
        if letter.isdigit():
            qs = qs.filter(letter_id=int(letter))
        return qs.order_by("-id")

    def get_object(self) -> Evidence:
        ev = self.get_queryset().filter(pk=path_id(self.kwargs["pk"])).first()
        if ev is None:
            raise Http404
        return ev

    @extend_schema(
        request={
            "application/json": EvidenceNoteSerializer,
            "application/x-www-form-urlencoded": EvidenceNoteSerializer,
            "multipart/form-data": EvidenceCreateSerializer,
        },
        responses={201: EvidenceSerializer, **ERRORS},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = EvidenceCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        letter = access.access_letter(request.user, data["letter"])
        record_obj = None
        if data.get("record_kind"):
            if not data.get("record_id"):
                message = _("record_id is required with record_kind.")
                return error(message, "invalid", 400, {"record_id": [message]})
            record_obj = (
                apps.get_model(data["record_kind"])
                ._default_manager.filter(pk=data["record_id"])
                .first()
            )
            if record_obj is None:
                raise Http404
        evidence = actions.add_evidence(
            require_login_user(request.user),
            letter,
            title=data["title"],
            items=data["items"],
            note=data["note"],
            upload=data.get("file"),
            record_obj=record_obj,
            happened_on=data.get("happened_on"),
        )
        return Response(EvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None, **ERRORS})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        actions.remove_evidence(require_login_user(request.user), self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
