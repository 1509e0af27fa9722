"""An API write run exactly once per client key (`juli.core.idempotency`), answered as DRF
responses: the stored answer again on a replay (with the replay header), 409 when the key
was used for a different request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from juli.api.errors import error
from juli.core import idempotency
from juli.core.writes import ConflictError


def respond_once(
    request: Request,
    user: Any,
    key: Any,
    run: Callable[[], idempotency.Outcome],
    *,
    body: Any = None,
    conflict_code: str = "",
) -> Response:
    """Run `run` once for (`user`, `key`) and this request (method, path, `body`: the
    request's data unless given); the app's own errors raised by `run` propagate. A
    `ConflictError` (a client id already used for something else) answers 409 with its code,
    or `conflict_code` when given."""
    try:
        outcome = idempotency.run_once(
            user=user,
            key=key,
            method=request.method or "POST",
            path=request.path,
            body=idempotency.canonical(request.data if body is None else body),
            run=run,
        )
    except ConflictError as exc:
        code = conflict_code or exc.code or "conflict"
        return error(" ".join(exc.messages), code, status.HTTP_409_CONFLICT)
    response = Response(outcome.body, status=outcome.status)
    if outcome.replayed:
        response[idempotency.REPLAY_HEADER] = "true"
    return response
