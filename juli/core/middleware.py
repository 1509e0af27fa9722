from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .context import client_ip_from_meta, request_ip


class RequestContextMiddleware:
    """Makes the client IP available to the audit log for the length of a request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with request_ip(client_ip_from_meta(request.META)):
            return self.get_response(request)
