from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from .context import client_ip_from_meta, request_ip


class RequestContextMiddleware:
    """Makes the client IP available to the audit log for the length of a request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with request_ip(client_ip_from_meta(request.META)):
            return self.get_response(request)


#: The session key holding when the session was last written (epoch seconds).
SESSION_SEEN_KEY = "_juli_seen"


class SessionIdleMiddleware:
    """The idle timeout without a database write on every request.

    Saving the session on every request (`SESSION_SAVE_EVERY_REQUEST`) costs an UPDATE and a
    transaction per page view; the benchmark showed it on every read. This saves a signed-in
    session only when it was last written more than `JULI_SESSION_REFRESH_SECONDS` ago, which
    moves its expiry to now + `SESSION_COOKIE_AGE`: the idle timeout stays, accurate to that
    interval (one minute by default against thirty minutes of idle time)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty():
            return response
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return response
        now = int(time.time())
        seen = session.get(SESSION_SEEN_KEY, 0)
        if not isinstance(seen, int) or now - seen >= settings.JULI_SESSION_REFRESH_SECONDS:
            session[SESSION_SEEN_KEY] = now  # marks it modified: SessionMiddleware saves it
        return response


def note_login(sender: object, request: HttpRequest, user: object, **kwargs: object) -> None:
    """Signing in writes the session anyway: start the refresh interval from there."""
    session = getattr(request, "session", None)
    if session is not None:
        session[SESSION_SEEN_KEY] = int(time.time())
