"""Logging in by username or by phone, with one lockout counter per account.

Axes counts failures per identifier; `lockout_identity` maps a phone number to the account's
username so that alternating between the two ways in does not double the attempts.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .models import User

#: What a request loads with its user: the person and their party organisation.
USER_RELATED = ("person__party_org",)


def find_user(identifier: str) -> User | None:
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    user = User.objects.filter(username=identifier).first()
    if user is None and identifier.isdigit():
        user = User.objects.filter(person__phone=identifier).first()
    return user


class UsernameOrPhoneBackend(ModelBackend):
    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if not username or password is None:
            return None
        user = find_user(username)
        if user is None:
            # Same work as a real check, so timing does not tell which names exist.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id: Any) -> User | None:
        # Every signed-in request loads the user; nearly every page then shows or scopes by
        # the person behind it and their party organisation (`access.scope_of`): one joined
        # query instead of three.
        user = User.objects.select_related(*USER_RELATED).filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None


def lockout_identity(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str:
    raw = ""
    if credentials:
        raw = str(credentials.get("username") or "")
    if not raw and request is not None:
        raw = str(request.POST.get("username", "")) if hasattr(request, "POST") else ""
    user = find_user(raw)
    return user.username if user else raw.strip()


def lockout_response(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    message = _(
        "Too many failed attempts: this account is locked. Try again later or ask an administrator."
    )
    wants_json = request.path.startswith("/api/") or "application/json" in request.headers.get(
        "Accept", ""
    )
    if wants_json:
        return JsonResponse({"detail": message, "code": "locked"}, status=429)
    return render(request, "registration/locked.html", {"message": message}, status=429)
