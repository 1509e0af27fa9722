"""The signed-in person's own language wins over the browser's.

`LocaleMiddleware` picks the language from the cookie or Accept-Language before anyone is
signed in; this middleware runs after `AuthenticationMiddleware` and, for a user who chose a
language on their account page (or through the language switch), activates that one. A user
who chose none keeps what LocaleMiddleware picked.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


class UserLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.known = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if getattr(user, "is_authenticated", False) else ""
        if language and language in self.known:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
