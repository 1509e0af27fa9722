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
import functools
import json
import re
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
    """The cases world (a reported, an accepted and a dispatched case), the duty lists, the
    district's bulletin of yesterday as a draft (its `published_by` is null) and the street's
    as published."""
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


@pytest.fixture
def connection_shared_with_threads(db: Any) -> Iterator[None]:
    """Let the engine's worker threads use the test's connection, for this test only."""
    connection = connections["default"]
    connection.inc_thread_sharing()
    yield
    connection.dec_thread_sharing()


def shared_connection_app(app: Callable[..., Any], users: list[Any]) -> Callable[..., Any]:
    """`app`, answering over the test's database connection from whichever thread calls it
    (with `connection_shared_with_threads`), the users' tokens given back after a DELETE of
    the token (see the module doc)."""
    connection = connections["default"]
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

Predicate = Callable[[Any, Any], bool]  # (case, response) -> the failure is this known case


@dataclass(frozen=True)
class Exclusion:
    """A failure a check reports although the answer is right, in one narrow case."""

    failure: str  # the schemathesis failure class
    operations: frozenset[str]  # labels, "*" for any
    applies: Predicate
    reason: str

    def covers(self, failure: Any, case: Any, response: Any) -> bool:
        return (
            type(failure).__name__ == self.failure
            and ("*" in self.operations or case.operation.label in self.operations)
            and self.applies(case, response)
        )


def _json(response: Any) -> dict[str, Any]:
    try:
        body = json.loads(response.content)
    except (ValueError, TypeError):
        return {}
    return body if isinstance(body, dict) else {}


def refused(
    codes: set[str], fields: set[str] | None = None, messages: set[str] | None = None
) -> Predicate:
    """The answer is a 400 with one of `codes`, naming only `fields` (if given), each with
    only `messages` (if given)."""

    def applies(case: Any, response: Any) -> bool:
        body = _json(response)
        named = body.get("fields") or {}
        said = {message for each in named.values() for message in each}
        return (
            response.status_code == 400
            and body.get("code") in codes
            and (fields is None or set(named) <= fields)
            and (messages is None or bool(said) and said <= messages)
        )

    return applies


def left_out_of_a_form(case: Any, response: Any) -> bool:
    """The negative value was a null or an empty string in a multipart form, which the
    in-process client (werkzeug) leaves out: the request the server received is valid."""
    return (
        case.media_type == "multipart/form-data"
        and isinstance(case.body, dict)
        and any(value is None or value == "" for value in case.body.values())
    )


PRECISION = re.compile(
    r"Ensure that there are no more than \d+ "
    r"(?:digits in total|decimal places|digits before the decimal point)\."
)


def float_noise(case: Any, response: Any) -> bool:
    """A 400 on the decimal places of values that went out as JSON floats: a generated
    multiple of 10^-6 is binary floating point, and prints with more places than it has."""
    body = _json(response)
    named = body.get("fields") or {}
    sent = case.body if isinstance(case.body, dict) else {}
    return (
        response.status_code == 400
        and bool(named)
        and all(isinstance(sent.get(name), float) for name in named)
        and all(PRECISION.fullmatch(message) for each in named.values() for message in each)
    )


def null_characters(case: Any, response: Any) -> bool:
    """A 400 that only refuses NUL characters in text."""
    named = _json(response).get("fields") or {}
    said = {message for each in named.values() for message in each}
    return response.status_code == 400 and said == {"Null characters are not allowed."}


def empty_file(case: Any, response: Any) -> bool:
    """An empty file part, which does not reach the view as a file: `missing_file`."""
    sent = case.body.get("file") if isinstance(case.body, dict) else None
    content = getattr(sent, "data", sent)
    return refused({"missing_file"})(case, response) and content in (b"", "")


BLANK = "This field may not be blank."


def _sent_at(body: Any, field: str) -> Any:
    """The value a body held at an error's dotted field name ("parts.7.agenda.2.title")."""
    value = body
    for step in field.split("."):
        if isinstance(value, dict) and step in value:
            value = value[step]
        elif isinstance(value, list) and step.isdigit() and int(step) < len(value):
            value = value[int(step)]
        else:
            return None
    return value


def only_whitespace(case: Any, response: Any) -> bool:
    """A 400 that only finds text blank, each such text having been sent as whitespace."""
    named = _json(response).get("fields") or {}
    return (
        refused({"invalid"}, messages={BLANK})(case, response)
        and bool(named)
        and all(
            isinstance(sent := _sent_at(case.body, name), str) and sent != "" and not sent.strip()
            for name in named
        )
    )


def null_or_whitespace(case: Any, response: Any) -> bool:
    """A 400 whose every field error is one of the two above: NUL characters, or a required
    text sent as whitespace (a nested list of items can hold both at once)."""
    named = _json(response).get("fields") or {}

    def excused(name: str, message: str) -> bool:
        if message == NUL:
            return True
        sent = _sent_at(case.body, name)
        return message == BLANK and isinstance(sent, str) and sent != "" and not sent.strip()

    return (
        response.status_code == 400
        and bool(named)
        and all(excused(name, message) for name, each in named.items() for message in each)
    )


def fields_like(codes: set[str], pattern: str, messages: set[str]) -> Predicate:
    """A 400 with one of `codes`, naming only fields that match `pattern` (list positions
    vary: "parts.3.presider"), each with only `messages`."""
    shape = re.compile(pattern)

    def applies(case: Any, response: Any) -> bool:
        named = _json(response).get("fields") or {}
        return (
            refused(codes, messages=messages)(case, response)
            and bool(named)
            and all(shape.fullmatch(name) for name in named)
        )

    return applies


METRIC_RULES = {
    "Choose the records this criterion is computed from.",
    "A judged criterion is measured by nothing.",
}
ASCENDING = "Each star needs at least the score of the star below it."
NUL = "Null characters are not allowed."


def standard_rules(case: Any, response: Any) -> bool:
    """A 400 on a rating standard whose every field error is a rule across fields (a computed
    criterion names a metric, a judged one none; thresholds ascend), possibly beside NUL
    characters or whitespace sent as a required text (each excluded above on its own)."""
    body = _json(response)
    named = body.get("fields") or {}

    def known(name: str, message: str) -> bool:
        last = name.rsplit(".", 1)[-1]
        sent = _sent_at(case.body, name)
        return (
            (last == "metric" and message in METRIC_RULES)
            or (re.fullmatch(r"star[1-5]", last) is not None and message == ASCENDING)
            or message == NUL
            or (message == BLANK and isinstance(sent, str) and sent != "" and not sent.strip())
        )

    return (
        response.status_code == 400
        and bool(named)
        and any(
            last.rsplit(".", 1)[-1] in {"metric", "star1", "star2", "star3", "star4", "star5"}
            for last in named
        )
        and all(known(name, message) for name, each in named.items() for message in each)
    )


STANDARDS = frozenset({"POST /api/v1/rating/standards/", "PATCH /api/v1/rating/standards/{id}/"})
SUBMISSIONS = frozenset({"POST /api/v1/cases/", "POST /api/v1/inspections/"})
PLAN_MEETING = "POST /api/v1/meetings/"
UPLOAD = "POST /api/v1/uploads/"
TRANSITIONS = "POST /api/v1/cases/{id}/transitions/"
EXCLUSIONS = (
    Exclusion(
        "RejectedPositiveData",
        frozenset({"*"}),
        null_characters,
        "Text may not hold NUL characters: PostgreSQL cannot store them and Django refuses "
        "them in every form and serializer field. JSON Schema could only say so with a "
        "pattern on every string of the schema.",
    ),
    Exclusion(
        "RejectedPositiveData",
        frozenset({"*"}),
        float_noise,
        "A decimal sent as a JSON number is documented as a multiple of 10^-places "
        "(`multipleOf`), but a generated multiple is binary floating point: 31.234567 comes "
        "out as 31.234567000000002, with more places than the API takes. The phones send "
        "`toFixed(6)` numbers, which print as they are.",
    ),
    Exclusion(
        "RejectedPositiveData",
        frozenset({"POST /api/v1/auth/token/"}),
        refused({"invalid_credentials", "otp_required", "otp_invalid"}),
        "Generated credentials are wrong credentials, and 400 is the documented answer (no "
        "hint whether the account exists). schemathesis spares an operation that issues "
        "credentials only when the schema names it as an OAuth2 tokenUrl, which a token "
        "endpoint for `Authorization: Token` is not.",
    ),
    Exclusion(
        "RejectedPositiveData",
        frozenset({"*"}),
        refused({"invalid"}, {"cursor", "after"}),
        "A paging cursor is opaque: only the `next` link of an earlier page holds a valid one, "
        "and no schema can say which strings those are. A string that is no cursor is a 400.",
    ),
    Exclusion(
        "RejectedPositiveData",
        frozenset({"GET /api/v1/stats/summary/"}),
        refused({"invalid"}, {"from"}),
        "A period starts before it ends and spans at most 366 days: a rule across two "
        "parameters, which JSON Schema cannot state.",
    ),
    Exclusion(
        "RejectedPositiveData",
        SUBMISSIONS | {UPLOAD},
        refused({"invalid", "missing_client_uuid"}, {"client_uuid"}),
        "A submission needs its id, in the body (`client_uuid`) or in the `Idempotency-Key` "
        "header: OpenAPI cannot require one of two parameters in different places.",
    ),
    Exclusion(
        "RejectedPositiveData",
        SUBMISSIONS | {UPLOAD, TRANSITIONS},
        refused({"idempotency_key_mismatch"}),
        "A submission id sent twice, in the body and in the header, must be the same id: a "
        "rule across two parameters in different places.",
    ),
    Exclusion(
        "RejectedPositiveData",
        frozenset({"POST /api/v1/inspections/"}),
        refused({"invalid"}, {"started_at"}),
        "An inspection is sent within `JULI_INSPECTION_BACKDATE_HOURS` of its start and not "
        "in the future (the phone's clock against the server's): a window around the time of "
        "the request, which a schema written once cannot state.",
    ),
    Exclusion(
        "RejectedPositiveData",
        SUBMISSIONS | {"GET /api/v1/cases/nearby/"},
        refused(
            {"invalid"},
            {"lat", "lng"},
            {"Give the latitude and the longitude together, or neither."},
        ),
        "A position is both halves or neither: a rule across two fields, which OpenAPI 3.0 "
        "cannot state (no dependentRequired).",
    ),
    Exclusion(
        "RejectedPositiveData",
        SUBMISSIONS | {TRANSITIONS},
        refused(
            {"invalid"},
            {"category", "point", "area", "unit", "results"},
            {"Unknown or not in your scope."},
        ),
        "A body naming a record that does not exist in the caller's scope (a category, a "
        "point, an area, a unit, a checklist item) is a field error, as on the pages: "
        "whether an id exists is not a fact a schema holds.",
    ),
    Exclusion(
        "RejectedPositiveData",
        SUBMISSIONS | {TRANSITIONS},
        refused({"unknown_upload"}),
        "The photos named in `uploads` must be the caller's own staged uploads, not yet "
        "attached: a generated UUID names none.",
    ),
    Exclusion(
        "RejectedPositiveData",
        frozenset({TRANSITIONS}),
        refused(
            {
                "note_required",
                "unit_required",
                "unit_inactive",
                "after_photo_required",
                "same_person",
                "requester_required",
                "requester_out_of_scope",
                "unexpected_argument",
                "unknown_action",
            }
        ),
        "What a step takes depends on the step and on the case (a note to reject, a unit to "
        "dispatch, photos with the rectify step only, an after photo before it): rules of the "
        "workflow (docs/workflows.md), which one request schema for every `action` cannot state.",
    ),
    Exclusion(
        "RejectedPositiveData",
        frozenset({UPLOAD}),
        refused({"empty", "not_an_image", "unsupported_format", "truncated", "too_many_pixels"}),
        "The schema can say `format: binary`, not 'a JPEG, PNG or HEIC picture'.",
    ),
    Exclusion(
        "RejectedPositiveData",
        frozenset({UPLOAD}),
        empty_file,
        "An empty file is no photo either; an empty part does not even arrive as a file.",
    ),
    Exclusion(
        "RejectedPositiveData",
        frozenset({"*"}),
        null_or_whitespace,
        "The two refusals above at once, in different items of one nested list.",
    ),
    Exclusion(
        "RejectedPositiveData",
        frozenset({"*"}),
        only_whitespace,
        "Text is trimmed before it is checked, so a required text of only spaces is blank, as "
        "on the pages. JSON Schema could only say so with a pattern on every required string.",
    ),
    Exclusion(
        "RejectedPositiveData",
        frozenset({PLAN_MEETING}),
        refused(
            {"invalid"},
            {"ends_at"},
            {"The meeting must end after it starts.", "A meeting lasts at most three days."},
        ),
        "A meeting ends after it starts, within three days: a rule across two fields, which "
        "JSON Schema cannot state.",
    ),
    Exclusion(
        "RejectedPositiveData",
        frozenset({PLAN_MEETING}),
        refused({"invalid"}, {"place"}, {"Give a place or an online link."}),
        "A meeting has a place or an online link (or both): one of two fields, which OpenAPI "
        "3.0 cannot require.",
    ),
    Exclusion(
        "RejectedPositiveData",
        frozenset({PLAN_MEETING}),
        refused({"invalid"}, {"attendees"}, {"A guest needs a name."}),
        "An invitee is a person of the directory (`person`) or a guest by `name`: one of two "
        "fields of each list item, which OpenAPI 3.0 cannot require.",
    ),
    Exclusion(
        "RejectedPositiveData",
        frozenset({PLAN_MEETING}),
        fields_like(
            {"invalid"},
            r"series|parts\.\d+\.presider|invitees\.\d+\.person",
            {
                "No such series of this organisation.",
                "The series belongs to another organisation.",
                "Not a person of this organisation's directory.",
            },
        ),
        "A series, a presider or an invitee named by an id must belong to the organisation "
        "(its series, the people of its directory): whether an id exists there is not a fact "
        "a schema holds.",
    ),
    Exclusion(
        "RejectedPositiveData",
        frozenset({PLAN_MEETING}),
        refused({"invalid"}, {"org"}, {"This organisation has ended; it holds no more meetings."}),
        "An organisation that has ended holds no more meetings: a fact of the record the id "
        "names, not of the request.",
    ),
    Exclusion(
        "RejectedPositiveData",
        frozenset({PLAN_MEETING}),
        refused({"invalid"}, {"online_link"}, {"Enter a valid URL."}),
        "An online link is checked as Django checks a URL (http, https, ftp or ftps; a host "
        "name with a top-level domain, or an IP address), which is narrower than what "
        "`format: uri` admits (`a:b`, `urn:…`); a regular expression of it would be the "
        "validator's own, unreadable in the schema.",
    ),
    Exclusion(
        "RejectedPositiveData",
        frozenset({"GET /api/v1/meetings/compliance/"}),
        refused({"invalid"}, {"n"}, {"No such period in the year."}),
        "`n` counts the windows of the chosen `period` (12 months, 4 quarters, 2 halves, 1 "
        "year): its bound depends on another parameter, which JSON Schema cannot state.",
    ),
    Exclusion(
        "RejectedPositiveData",
        STANDARDS,
        standard_rules,
        "A computed criterion names a measured figure (`GET rating/metrics/`) and a judged one "
        "none; the five star thresholds ascend: rules across fields, which JSON Schema cannot "
        "state (no if/then in OpenAPI 3.0).",
    ),
    Exclusion(
        "RejectedPositiveData",
        frozenset({"POST /api/v1/rating/rounds/"}),
        refused(
            {"invalid"},
            {"org", "standard"},
            {
                "Choose an organisation whose rounds you run.",
                "Choose a standard you can see.",
            },
        ),
        "A round is opened over an organisation whose rounds the caller runs, by a standard "
        "they can see: whether an id names one of those is not a fact a schema holds.",
    ),
    Exclusion(
        "AcceptedNegativeData",
        frozenset({UPLOAD}),
        left_out_of_a_form,
        "schemathesis' in-process client (werkzeug) leaves a null or empty form field out of a "
        "multipart body, so the server received a valid request (the id in the "
        "`Idempotency-Key` header); an empty `client_uuid` that arrives is a 400 "
        "(test_errors.py).",
    ),
)


def keep_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
    """schemathesis' `filter_failure` hook: drop exactly the excluded failures."""
    return not any(exclusion.covers(failure, case, response) for exclusion in EXCLUSIONS)


def tracked(checks: list[Any], ran: set[str]) -> list[Any]:
    """`checks`, each noting its name in `ran` when it runs."""

    def track(check: Any) -> Any:
        @functools.wraps(check)
        def run(ctx: Any, response: Any, case: Any) -> Any:
            ran.add(check.__name__)
            return check(ctx, response, case)

        return run

    return [track(check) for check in checks]


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
                    f"{interaction.response.content[:200]!r}]"
                )
            message = " ".join(str(failure.message).split())
            yield f"{recorder.label}: {node.name}: {failure.title}: {message}{seen}"


def describe(error: BaseException, case: Any, response: Any) -> list[str]:
    """One line per failure raised by `case.validate_response`: operation, failure, answer."""
    found = error.exceptions if isinstance(error, BaseExceptionGroup) else (error,)
    request = response.request
    answer = (
        f"[{request.method} {request.url} -> {response.status_code} {response.content[:200]!r}]"
    )
    return [
        f"{case.operation.label}: {getattr(failure, 'title', type(failure).__name__)}: "
        f"{' '.join(str(getattr(failure, 'message', failure)).split())[:300]} {answer}"
        for failure in found
    ]
