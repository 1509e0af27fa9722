"""What the two schemathesis tests share: the world they run over, the roles they run as, the
WSGI plumbing, and the few failures a check reports wrongly, each excluded with its reason.

Every check of the installed schemathesis runs (`ALL_CHECKS`, as `--checks all` would), as a
district admin (who sees a whole district) and as an outsider (a member of another city's
branch, who sees next to nothing).

Plumbing (test-only):

- schemathesis' engine sends requests from worker threads; Django gives each thread its own
  database connection, which would not see the test's transaction. `shared_connection_app`
  hands every request the test's own connection (one request at a time: the engine runs with
  one worker), as Django's LiveServerTestCase does for its server thread.
- `DELETE /api/v1/auth/token/` is one of the operations: it revokes the very token the run
  signs in with. The app wrapper gives the user the same token back after it, as a client
  would sign in again.
- schemathesis 4.32 hands the `ignored_auth` and object-authorization probes the engine's
  socket settings (`max_redirects`, …), which its in-process WSGI client does not take
  (TypeError); `wsgi_probes_without_socket_settings` drops them, as it already does for
  requests made through a session.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connections
from django.utils import timezone
from rest_framework.authtoken.models import Token
from schemathesis.checks import CHECKS, load_all_checks

from juli.bulletins import actions as bulletin_actions
from juli.cases.tests.conftest import new_case, put
from juli.duties.tests.conftest import build_world as build_duties

TOKEN_PATH = "/api/v1/auth/token/"
#: The roles every operation is tried as: one who sees a district, one who sees nothing of it.
ROLES = ("district_admin", "outsider")

load_all_checks()
#: Every check schemathesis has (`--checks all`).
ALL_CHECKS = [check for check in CHECKS.get_all() if callable(check)]
ALL_CHECK_NAMES = frozenset(check.__name__ for check in ALL_CHECKS)


def build_world(world: Any) -> Any:
    """The cases world (a reported, an accepted and a dispatched case), the duty lists, and a
    draft and a published bulletin of the street (a draft's `published_by` is null)."""
    new_case(world)
    put(new_case(world), "accepted", world)
    put(new_case(world), "dispatched", world)
    build_duties(world.c)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    bulletin_actions.ensure_bulletin(world.c.huangpu, yesterday)
    street, _created = bulletin_actions.ensure_bulletin(world.c.dapuqiao, yesterday)
    bulletin_actions.publish_bulletin(world.c.street_officer, street)
    return world


def token_for(user: Any) -> str:
    token, _created = Token.objects.get_or_create(user=user)
    return str(token.key)


def shared_connection_app(app: Callable[..., Any], users: list[Any]) -> Callable[..., Any]:
    """`app`, answering from any thread over the test's database connection, with the users'
    tokens restored before each request (see the module doc)."""
    connection = connections["default"]
    connection.inc_thread_sharing()
    keys = {user.pk: token_for(user) for user in users}

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        connections["default"] = connection
        answer = app(environ, start_response)
        if environ["REQUEST_METHOD"] == "DELETE" and environ["PATH_INFO"] == TOKEN_PATH:
            for user_id, key in keys.items():
                Token.objects.get_or_create(user_id=user_id, defaults={"key": key})
        return answer

    return wsgi


@pytest.fixture
def wsgi_probes_without_socket_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from schemathesis.transport import wsgi

    send = wsgi.WSGITransport.send

    def without_socket_settings(self: Any, case: Any, *, session: Any = None, **kwargs: Any) -> Any:
        if session is None:
            for name in ("max_redirects", "verify", "cert", "proxies"):
                kwargs.pop(name, None)
        return send(self, case, session=session, **kwargs)

    monkeypatch.setattr(wsgi.WSGITransport, "send", without_socket_settings)


# --- Exclusions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Exclusion:
    """A failure a check reports although the answer is right, in one narrow case."""

    failure: str  # the schemathesis failure class
    operations: frozenset[str]  # labels, "*" for any
    status: int
    codes: frozenset[str]  # the answer's `code`
    fields: frozenset[str] | None  # the answer's `fields` must lie within these (None: any)
    reason: str
    messages: frozenset[str] | None = None  # and every message of `fields` be one of these

    def covers(self, failure: Any, case: Any, response: Any) -> bool:
        if type(failure).__name__ != self.failure or response.status_code != self.status:
            return False
        if "*" not in self.operations and case.operation.label not in self.operations:
            return False
        body = _json(response)
        if body.get("code") not in self.codes:
            return False
        fields = body.get("fields") or {}
        if self.fields is not None and not set(fields) <= self.fields:
            return False
        said = {message for messages in fields.values() for message in messages}
        return self.messages is None or bool(said) and said <= self.messages


def _json(response: Any) -> dict[str, Any]:
    try:
        body = json.loads(response.content)
    except (ValueError, TypeError):
        return {}
    return body if isinstance(body, dict) else {}


SUBMISSIONS = frozenset({"POST /api/v1/cases/", "POST /api/v1/inspections/"})
EXCLUSIONS = (
    Exclusion(
        "RejectedPositiveData",
        frozenset({"POST /api/v1/auth/token/"}),
        400,
        frozenset({"invalid_credentials", "otp_required", "otp_invalid"}),
        None,
        "Generated credentials are wrong credentials, and 400 is the documented answer (no "
        "hint whether the account exists). schemathesis spares an operation that issues "
        "credentials only when the schema names it as an OAuth2 tokenUrl, which a token "
        "endpoint for `Authorization: Token` is not.",
    ),
    Exclusion(
        "RejectedPositiveData",
        frozenset({"*"}),
        400,
        frozenset({"invalid"}),
        frozenset({"cursor", "after"}),
        "A paging cursor is opaque: only the `next` link of an earlier page holds a valid one, "
        "and no schema can say which strings those are. A string that is no cursor is a 400.",
    ),
    Exclusion(
        "RejectedPositiveData",
        frozenset({"GET /api/v1/stats/summary/"}),
        400,
        frozenset({"invalid"}),
        frozenset({"from"}),
        "A period starts before it ends and spans at most 366 days: a rule across two "
        "parameters, which JSON Schema cannot state.",
    ),
    Exclusion(
        "RejectedPositiveData",
        SUBMISSIONS | {"POST /api/v1/uploads/"},
        400,
        frozenset({"invalid", "missing_client_uuid"}),
        frozenset({"client_uuid"}),
        "A submission needs its id, in the body (`client_uuid`) or in the `Idempotency-Key` "
        "header: OpenAPI cannot require one of two parameters in different places.",
    ),
    Exclusion(
        "RejectedPositiveData",
        SUBMISSIONS | {"POST /api/v1/uploads/", "POST /api/v1/cases/{id}/transitions/"},
        400,
        frozenset({"idempotency_key_mismatch"}),
        None,
        "A submission id sent twice, in the body and in the header, must be the same id: a "
        "rule across two parameters in different places.",
    ),
    Exclusion(
        "RejectedPositiveData",
        SUBMISSIONS,
        400,
        frozenset({"invalid"}),
        frozenset({"lat", "lng"}),
        "A position is both halves or neither: a rule across two fields, which OpenAPI 3.0 "
        "cannot state (no dependentRequired).",
        frozenset({"Give the latitude and the longitude together, or neither."}),
    ),
    Exclusion(
        "RejectedPositiveData",
        SUBMISSIONS | {"POST /api/v1/cases/{id}/transitions/"},
        400,
        frozenset({"invalid"}),
        frozenset({"category", "point", "area", "unit", "results"}),
        "A body naming a record that does not exist in the caller's scope (a category, a "
        "point, an area, a unit, a checklist item) is a field error, as on the pages: "
        "whether an id exists is not a fact a schema holds.",
    ),
    Exclusion(
        "RejectedPositiveData",
        frozenset({"POST /api/v1/uploads/"}),
        400,
        frozenset({"empty", "not_an_image", "unsupported_format", "truncated", "too_many_pixels"}),
        None,
        "The schema can say `format: binary`, not 'a JPEG, PNG or HEIC picture'.",
    ),
)


def keep_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
    """schemathesis' `filter_failure` hook: drop exactly the excluded failures."""
    return not any(exclusion.covers(failure, case, response) for exclusion in EXCLUSIONS)


def failures_of(recorder: Any) -> Iterator[str]:
    """One line per failed check of a scenario: operation, check, what it saw."""
    for case_id, nodes in recorder.checks.items():
        for node in nodes:
            if node.failure_info is None:
                continue
            failure = node.failure_info.failure
            interaction = recorder.interactions.get(case_id)
            seen = ""
            if interaction is not None and interaction.response is not None:
                request = interaction.request
                seen = (
                    f" [{request.method} {request.uri} -> {interaction.response.status_code} "
                    f"{interaction.response.content[:200]!r}] BODY={str(request.body)[:600]}"
                )
            message = " ".join(str(failure.message).split())
            yield f"{recorder.label}: {node.name}: {failure.title}: {message}{seen}"
