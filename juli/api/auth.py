"""Token authentication for the API: the same sign-in rules as the login page.

`POST /api/v1/auth/token/` goes through `django.contrib.auth.authenticate`, so django-axes
counts failures per account (username or phone, see `juli.orgs.auth.lockout_identity`) and
locks the account after AXES_FAILURE_LIMIT wrong passwords, here as on the login page. A user
with a confirmed TOTP device must also send the current code; a wrong code counts as a failed
sign-in, so the lockout bounds code guessing too.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.http import HttpRequest, HttpResponseBase
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from juli.orgs.auth import lockout_response

from . import actions
from .authentication import UserTokenAuthentication
from .errors import ApiErrorSerializer, error

#: Token first, so that an anonymous request gets 401 with `WWW-Authenticate: Token`.
API_AUTHENTICATION = (UserTokenAuthentication, SessionAuthentication)


class TokenObtainSerializer(serializers.Serializer):
    username = serializers.CharField(
        max_length=150, help_text="Username or 11-digit mainland mobile number."
    )
    password = serializers.CharField(
        max_length=128, trim_whitespace=False, style={"input_type": "password"}
    )
    otp = serializers.CharField(
        max_length=8,
        required=False,
        allow_blank=True,
        help_text="Current six-digit code from the authenticator app; required when the "
        "account has a second factor.",
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`.")


def _error(detail: str, code: str) -> Response:
    return error(detail, code, status.HTTP_400_BAD_REQUEST)


def _locked(request: HttpRequest) -> bool:
    return bool(getattr(request, "axes_locked_out", False))


class TokenView(APIView):
    """Issue (POST) or revoke (DELETE) the caller's API token."""

    serializer_class = TokenObtainSerializer

    def get_authenticators(self) -> list[Any]:
        # Asking for a token needs no earlier sign-in, and a stale session cookie must not
        # turn the request into a CSRF failure. (The schema generator calls this without a
        # request: it documents POST as needing no authentication through extend_schema.)
        if getattr(self.request, "method", None) == "POST":
            return []
        return [auth() for auth in API_AUTHENTICATION]

    def get_permissions(self) -> list[Any]:
        if getattr(self.request, "method", None) == "POST":
            return [AllowAny()]
        return [IsAuthenticated()]

    @extend_schema(
        operation_id="auth_token_create",
        summary="Issue an API token",
        request=TokenObtainSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(
                ApiErrorSerializer,
                description="Wrong credentials (`invalid_credentials`, no hint whether the "
                "account exists), a second factor required (`otp_required`) or wrong "
                "(`otp_invalid`), or an incomplete request (`invalid`, with `fields`).",
            ),
            429: OpenApiResponse(
                ApiErrorSerializer,
                description="Too many failures: the account is locked (`locked`).",
            ),
        },
        examples=[
            OpenApiExample(
                "By phone", value={"username": "13812345678", "password": "…"}, request_only=True
            )
        ],
        auth=[],
    )
    def post(self, request: Request) -> HttpResponseBase:
        form = TokenObtainSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        # Axes flags the Django request (its middleware reads it), not DRF's wrapper.
        http_request = request._request
        identifier = form.validated_data["username"].strip()
        user = authenticate(
            request=http_request, username=identifier, password=form.validated_data["password"]
        )
        if user is None:
            if _locked(http_request):
                return lockout_response(http_request)
            return _error(_("Wrong username, mobile number or password."), "invalid_credentials")
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is not None:
            code = (form.validated_data.get("otp") or "").strip()
            if not code:
                return _error(
                    _("This account has a second factor: send the code as “otp”."),
                    "otp_required",
                )
            if not device.verify_token(code):
                user_login_failed.send(
                    sender=__name__,
                    credentials={"username": user.get_username()},
                    request=http_request,
                )
                if _locked(http_request):
                    return lockout_response(http_request)
                return _error(
                    _("That code is not right. Check your device's clock and try again."),
                    "otp_invalid",
                )
        token = actions.issue_token(user)
        # A token is a sign-in: axes clears the account's failures, last_login is updated.
        user_logged_in.send(sender=type(user), request=http_request, user=user)
        return Response({"token": token.key})

    @extend_schema(
        operation_id="auth_token_destroy",
        summary="Revoke the caller's API token",
        request=None,
        responses={204: OpenApiResponse(description="No token remains for this account.")},
    )
    def delete(self, request: Request) -> Response:
        actions.revoke_token(request.user)  # type: ignore[arg-type]  # IsAuthenticated
        return Response(status=status.HTTP_204_NO_CONTENT)
