"""Chains of /api/v1/ calls along the schema's OpenAPI links answer per the schema.

schemathesis builds a state machine from the links that `juli.api.links` adds (create →
detail → actions, list → detail, a staged upload → the case report naming it, …) and runs
scenarios of up to STEPS calls against the WSGI application, as a street officer (who
reports, accepts and dispatches cases) over the cases world. Every answer must be no server
error and match its documented schema. Only the schema's own links are followed (no inferred
ones), and the test counts the calls a link fed with a real id, so it cannot pass without
following them. Derandomised and bounded: JULI_SCHEMATHESIS_EXAMPLES scenarios (default 25)
for a longer hunt, e.g. JULI_SCHEMATHESIS_EXAMPLES=500.
"""

from __future__ import annotations

import os
import uuid
from collections import Counter
from typing import Any

import schemathesis
from django.core.cache import cache
from django.db import transaction
from hypothesis import HealthCheck, Phase, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import response_schema_conformance

from config.wsgi import application
from juli.api.tests.test_schemathesis import _keep_the_test_connection  # noqa: F401 - autouse
from juli.cases.tests.conftest import _media, new_case, put, tiny_png, world  # noqa: F401
from juli.cases.workflow import ACTION_ARGUMENTS

CHECKS = [not_a_server_error, response_schema_conformance]
EXAMPLES = int(os.environ.get("JULI_SCHEMATHESIS_EXAMPLES", "25"))
STEPS = 8
#: The operations that need a submission id (client_uuid or the Idempotency-Key header).
SUBMISSIONS = {"POST /api/v1/uploads/", "POST /api/v1/cases/", "POST /api/v1/inspections/"}


def _schema() -> Any:
    # Only the links the schema declares: schemathesis would otherwise infer more of its own.
    config = SchemathesisConfig.from_dict(
        {"phases": {"stateful": {"inference": {"algorithms": []}}}}
    )
    return schemathesis.openapi.from_wsgi("/api/v1/schema/", application, config=config)


def _as_a_client_would(case: Any, w: Any) -> None:
    """Fill in what a phone or a desk knows and a generator cannot guess: a real photo, the
    category, the unit and colleague an action takes. The rest of the request stays generated
    (negative cases are not passed here)."""
    label, body = case.operation.label, case.body
    if label == "POST /api/v1/uploads/":
        body["file"] = tiny_png()
    if label == "POST /api/v1/cases/" and body.get("category") is not None:
        body["category"] = w.litter.pk
    if label == "POST /api/v1/cases/{id}/transitions/" and "action" in body:
        takes = ACTION_ARGUMENTS.get(body["action"], frozenset())
        for field, value in {
            "unit": w.c.property_co.pk,
            "requested_by": w.c.street_officer.pk,
        }.items():
            if field in takes:
                body[field] = value
            else:
                body.pop(field, None)
    # A phone sends its submission id once, as a header or in the body (none, or two different
    # ones, are refused, rightly: juli/cases/tests/test_exactly_once.py).
    headers = case.headers if case.headers is not None else {}
    if "client_uuid" in body:
        headers.pop("Idempotency-Key", None)
    elif "Idempotency-Key" not in headers and label in SUBMISSIONS:
        body["client_uuid"] = str(uuid.uuid4())


def _run(schema: Any, w: Any) -> tuple[Counter[str], Counter[str]]:
    """Run the state machine. Answer how often each link was followed (by name, "source ->
    [status] link -> target") and what the calls a link fed answered ("target status")."""
    followed: Counter[str] = Counter()
    fed: Counter[str] = Counter()

    class Machine(schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            # Every scenario starts from the same world: Hypothesis replays scenarios and
            # expects the same answers (a case created by an earlier one would change a list).
            self._scenario = transaction.atomic()
            self._scenario.__enter__()
            cache.clear()

        def teardown(self) -> None:
            transaction.set_rollback(True)
            self._scenario.__exit__(None, None, None)
            super().teardown()

        def before_call(self, case: Any) -> None:
            if isinstance(case.body, dict) and case.meta.generation.mode.is_positive:
                _as_a_client_would(case, w)

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            # Fetched per call: DELETE /auth/token/ is one of the operations.
            token, _created = Token.objects.get_or_create(user=w.c.street_officer)
            return {"headers": {"Authorization": f"Token {token.key}"}}

        def step(self, input: Any) -> Any:
            output = super().step(input)
            if input.transition is not None and input.is_applied:
                followed[input.transition.id] += 1
                fed[f"{output.case.operation.label} {output.response.status_code}"] += 1
            return output

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            case.validate_response(response, checks=CHECKS, recorder=self.recorder)

    Machine.run(
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
    )
    return followed, fed


def _targets(followed: Counter[str]) -> set[str]:
    return {name.rsplit(" -> ", 1)[-1] for name in followed}


def test_it_follows_the_links_of_the_whole_schema(world):  # noqa: F811 - the fixture
    new_case(world)
    put(new_case(world), "accepted", world)
    schema = _schema()
    report = schema["/api/v1/cases/"]["POST"].responses.find_by_status_code(201)
    upload = schema["/api/v1/uploads/"]["POST"].responses.find_by_status_code(201)
    followed, fed = _run(schema, world)
    assert {"cases_retrieve", "cases_photos_list", "cases_transitions_create"} <= {
        name for name, _link in report.iter_links()
    }
    assert "cases_create.uploads" in {name for name, _link in upload.iter_links()}
    assert sum(followed.values()) > 0


def test_it_moves_cases_along_the_links(world):  # noqa: F811 - the fixture
    new_case(world)
    put(new_case(world), "accepted", world)
    put(new_case(world), "dispatched", world)
    schema = _schema().include(path_regex=r"^/api/v1/(cases|uploads|areas|points)/")
    followed, fed = _run(schema, world)
    assert {
        "POST /api/v1/cases/",
        "GET /api/v1/cases/{id}/",
        "POST /api/v1/cases/{id}/transitions/",
    } <= _targets(followed)
    assert fed["GET /api/v1/cases/{id}/ 200"] > 0
