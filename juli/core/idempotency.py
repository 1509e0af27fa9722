"""Exactly once: a submission sent twice, or ten times at once, is carried out once.

Every creating request from a phone carries a client-generated UUID, as `client_uuid` in the
body and/or as the `Idempotency-Key` header (the same meaning; both present must agree). For
each (owner, key) the first successful response is stored in a `Submission` row with the
request's fingerprint (method, path and a hash of the canonical JSON body):

- the same request again (same fingerprint) gets the stored status and body back, and the
  action is not run again;
- the same key with another method, path or body is refused: 409 `idempotency_conflict`;
- a refused request (4xx) or a crash stores nothing, so it can be corrected and retried with
  the same key.

Race freedom: the `Submission` row is inserted *first*, inside the transaction that then runs
the action and stores its response, under a unique constraint on (owner, key). On PostgreSQL
a concurrent insert of the same key waits on the unique index until the winner commits (then
fails with IntegrityError and reads the winner's stored response) or rolls back (then it
proceeds itself). On SQLite, IMMEDIATE transactions serialise writers outright, so the second
one starts after the first committed and finds its row. Nobody ever sees a claimed key
without its response: they are committed together.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils.translation import gettext as _

from .models import Submission

HEADER = "Idempotency-Key"
#: Header set on a response that replays a stored one.
REPLAY_HEADER = "Idempotent-Replayed"


class KeyError_(ValueError):  # noqa: N801 - not the builtin KeyError
    """A malformed key, or a header and a body key that disagree (HTTP 400)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message, self.code = message, code


@dataclass
class Outcome:
    """A response reduced to what is stored and replayed: its status and its JSON body."""

    status: int
    body: Any
    replayed: bool = False

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def _as_uuid(value: Any, what: str) -> uuid.UUID:
    # Only the written form the API's schema states (8-4-4-4-12 hex digits): Python would
    # also read braces, "urn:uuid:" and 32 bare digits, which no client of Juli sends.
    text = str(value).strip()
    try:
        key = uuid.UUID(text)
    except (ValueError, AttributeError, TypeError):
        key = None
    if key is None or str(key) != text.lower():
        raise KeyError_(_("%(what)s must be a UUID.") % {"what": what}, "invalid_idempotency_key")
    return key


def resolve_key(header: str | None, body_key: Any) -> uuid.UUID | None:
    """The submission key from the `Idempotency-Key` header and/or the body's `client_uuid`.

    Raises `KeyError_` when one is not a UUID or when both are given and differ.
    """
    # A header sent empty is a malformed key, not a missing one.
    from_header = _as_uuid(header, HEADER) if header is not None else None
    from_body = _as_uuid(body_key, "client_uuid") if body_key not in (None, "") else None
    if from_header and from_body and from_header != from_body:
        raise KeyError_(
            _("The Idempotency-Key header and client_uuid differ."), "idempotency_key_mismatch"
        )
    return from_header or from_body


def canonical(value: Any) -> Any:
    """Plain JSON values (what a stored body is, and what a replay returns)."""
    from rest_framework.utils.encoders import JSONEncoder

    return json.loads(json.dumps(value, cls=JSONEncoder, ensure_ascii=False))


def fingerprint(method: str, path: str, body: Any) -> str:
    """SHA-256 of the method, the path and the body as canonical JSON (sorted keys)."""
    text = json.dumps(
        body, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(f"{method.upper()}\n{path}\n{text}".encode()).hexdigest()


def owner_of(user: Any) -> str:
    pk = getattr(user, "pk", None) if getattr(user, "is_authenticated", False) else None
    return f"user:{pk}" if pk is not None else "public"


class _Refused(Exception):  # noqa: N818 - control flow, not an error
    """Carries a non-2xx outcome out of the transaction so the claimed key is rolled back."""

    def __init__(self, outcome: Outcome) -> None:
        self.outcome = outcome


def _conflict() -> Outcome:
    return Outcome(
        409,
        {
            "detail": _("This submission id was already used for a different request."),
            "code": "idempotency_conflict",
        },
    )


def _replay(found: Submission, fp: str) -> Outcome:
    if found.fingerprint != fp:
        return _conflict()
    return Outcome(found.status_code, found.response_body, replayed=True)


def _attempt(
    user: Any, owner: str, key: uuid.UUID, method: str, path: str, fp: str, run: Any
) -> Outcome:
    try:
        with transaction.atomic():
            try:
                # Claim first: a concurrent twin blocks here (PostgreSQL) or cannot even
                # start its transaction (SQLite IMMEDIATE) until this one ends.
                with transaction.atomic():
                    claim = Submission.objects.create(
                        owner=owner,
                        key=key,
                        user=user if owner != "public" else None,
                        method=method.upper(),
                        path=path[:255],
                        fingerprint=fp,
                        status_code=0,
                    )
            except IntegrityError:
                claim = None
            if claim is None:
                found = Submission.objects.filter(owner=owner, key=key).first()
                if found is None:  # the winner rolled back between our insert and read
                    raise _Retry from None
                return _replay(found, fp)
            outcome = run()
            if not outcome.ok:
                raise _Refused(outcome)
            outcome.body = canonical(outcome.body)
            claim.status_code, claim.response_body = outcome.status, outcome.body
            claim.save(update_fields=["status_code", "response_body"])
            return outcome
    except _Refused as refused:
        return refused.outcome


class _Retry(Exception):  # noqa: N818 - control flow
    pass


#: SQLite's in-memory shared-cache test database answers "table is locked" at once instead of
#: waiting on the busy timeout; the whole transaction was rolled back, so it is safe to retry.
_LOCK_RETRIES = 200


def run_once(
    *,
    user: Any,
    key: uuid.UUID | None,
    method: str,
    path: str,
    body: Any,
    run: Callable[[], Outcome],
) -> Outcome:
    """Run `run` once per (owner, key); replay its stored outcome for the same request.

    Without a key, `run` simply runs. `run` is called inside a transaction together with the
    claim of the key; it returns an `Outcome` (a non-2xx one is not stored) or raises (nothing
    is stored either, and the exception propagates).
    """
    if key is None:
        return run()
    owner = owner_of(user)
    fp = fingerprint(method, path, body)
    for attempt in range(_LOCK_RETRIES):
        try:
            return _attempt(user, owner, key, method, path, fp, run)
        except _Retry:
            continue
        except OperationalError as error:
            if connection.vendor != "sqlite" or "locked" not in str(error):
                raise
            if attempt == _LOCK_RETRIES - 1:
                raise
            time.sleep(0.01 + 0.005 * (attempt % 10))
    raise RuntimeError("unreachable")
