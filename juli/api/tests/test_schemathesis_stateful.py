"""Chains of /api/v1/ calls along the schema's OpenAPI links answer per the schema, all checks.

schemathesis builds a state machine from the links that `juli.api.links` adds (create →
detail → actions, list → detail, a staged upload → the case report naming it, …) and runs
scenarios of up to STEPS calls against the WSGI application, as a district admin and as an
outsider, over the cases world (juli/api/tests/fuzzing.py). Every answer goes through every
check schemathesis has (`--checks all`), including those that need a sequence of calls: a
resource just created is there (ensure_resource_availability), a deleted one is gone
(use_after_free), and one role's objects are not the other's (object_level_authorization:
both roles are loaded as Web Fuzzing Commons identities, peers that must not see each other's
objects; the run is pinned to one, the other is the probe). Only the schema's own links are
followed (no inferred ones), and the test counts the calls a link fed with a real id, so it
cannot pass without following them. Derandomised and bounded: JULI_SCHEMATHESIS_EXAMPLES
scenarios (default 25) for a longer hunt, e.g. JULI_SCHEMATHESIS_EXAMPLES=500.
"""

from __future__ import annotations

import json
import os
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.db import transaction
from hypothesis import HealthCheck, Phase, settings
from schemathesis.config import SchemathesisConfig

from config.wsgi import application
from juli.api.tests.test_schemathesis import _keep_the_test_connection  # noqa: F401 - autouse
from juli.cases.tests.conftest import _media, tiny_png, world  # noqa: F401
from juli.cases.workflow import ACTION_ARGUMENTS

from .fuzzing import (
    ALL_CHECK_NAMES,
    ALL_CHECKS,
    ROLES,
    build_world,
    describe,
    failures_of,
    keep_failure,
    shared_connection_app,
    token_for,
    tracked,
    wsgi_probes_without_socket_settings,  # noqa: F401 - fixture
)

EXAMPLES = int(os.environ.get("JULI_SCHEMATHESIS_EXAMPLES", "25"))
STEPS = 8
#: The operations that need a submission id (client_uuid or the Idempotency-Key header).
SUBMISSIONS = {"POST /api/v1/uploads/", "POST /api/v1/cases/", "POST /api/v1/inspections/"}


def _schema(w: Any, role: str, folder: Path) -> Any:
    """The schema, signed in as `role`, the other role loaded as its peer; only the links the
    schema declares (schemathesis would otherwise infer more of its own)."""
    identities = folder / "identities.json"
    identities.write_text(
        json.dumps(
            {
                "auth": [
                    {
                        "name": name,
                        "fixedHeaders": [
                            {
                                "name": "Authorization",
                                "value": f"Token {token_for(getattr(w.c, name))}",
                            }
                        ],
                    }
                    for name in ROLES
                ]
            }
        )
    )
    config = SchemathesisConfig.from_dict(
        {
            "auth": {"wfc": {"path": str(identities), "user": role, "peers": list(ROLES)}},
            "phases": {"stateful": {"inference": {"algorithms": []}}},
        }
    )
    app = shared_connection_app(application, [getattr(w.c, name) for name in ROLES])
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", app, config=config)
    schema.hook("filter_failure")(keep_failure)
    return schema


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


def _run(
    schema: Any, w: Any, *, examples: int = EXAMPLES, derandomize: bool = True
) -> tuple[Counter[str], Counter[str], list[str], set[str]]:
    """Run the state machine. Answer how often each link was followed (by name, "source ->
    [status] link -> target"), what the calls a link fed answered ("target status"), the
    failures of the checks and the names of the checks that ran."""
    followed: Counter[str] = Counter()
    fed: Counter[str] = Counter()
    failures: list[str] = []
    checks: set[str] = set()
    every_check = tracked(ALL_CHECKS, checks)

    class Machine(schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            # Every scenario starts from the same world: Hypothesis replays scenarios and
            # expects the same answers (a case created by an earlier one would change a list).
            self._scenario = transaction.atomic()
            self._scenario.__enter__()
            cache.clear()

        def teardown(self) -> None:
            failures.extend(failures_of(self.recorder))
            transaction.set_rollback(True)
            self._scenario.__exit__(None, None, None)
            super().teardown()

        def before_call(self, case: Any) -> None:
            if isinstance(case.body, dict) and case.meta.generation.mode.is_positive:
                _as_a_client_would(case, w)

        def step(self, input: Any) -> Any:
            output = super().step(input)
            if input.transition is not None and input.is_applied:
                followed[input.transition.id] += 1
                fed[f"{output.case.operation.label} {output.response.status_code}"] += 1
            return output

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            # Failures are recorded (and listed at the end) rather than raised, so that one
            # run reports all of them.
            try:
                case.validate_response(response, checks=every_check, recorder=self.recorder)
            except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 - listed below
                failures.extend(describe(error, case, response))

    Machine.run(
        settings=settings(
            max_examples=examples,
            stateful_step_count=STEPS,
            deadline=None,
            derandomize=derandomize,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
    )
    return followed, fed, sorted(set(failures)), checks


def _targets(followed: Counter[str]) -> set[str]:
    return {name.rsplit(" -> ", 1)[-1] for name in followed}


@pytest.mark.usefixtures("wsgi_probes_without_socket_settings")
@pytest.mark.parametrize("role", ROLES)
def test_it_follows_the_links_of_the_whole_schema(world, role, tmp_path):  # noqa: F811
    build_world(world)
    schema = _schema(world, role, tmp_path)
    report = schema["/api/v1/cases/"]["POST"].responses.find_by_status_code(201)
    upload = schema["/api/v1/uploads/"]["POST"].responses.find_by_status_code(201)
    followed, fed, failures, checks = _run(schema, world)
    assert failures == [], "\n".join(failures)
    assert checks == ALL_CHECK_NAMES
    assert {"cases_retrieve", "cases_photos_list", "cases_transitions_create"} <= {
        name for name, _link in report.iter_links()
    }
    assert "cases_create.uploads" in {name for name, _link in upload.iter_links()}
    # A link is followed only when the answer before it holds an id, and the world holds no
    # meeting or make-up: with the meetings' operations (December 2026) the fixed seed's 25
    # scenarios applied no link at all, as either role. Up to two more runs with fresh seeds
    # then look for one; every run must pass every check.
    for _attempt in range(2):
        if followed:
            break
        more, _fed, failures, _checks = _run(schema, world, derandomize=False)
        assert failures == [], "\n".join(failures)
        followed.update(more)
    assert sum(followed.values()) > 0


@pytest.mark.usefixtures("wsgi_probes_without_socket_settings")
def test_it_moves_cases_along_the_links(world, tmp_path):  # noqa: F811 - the fixture
    build_world(world)
    schema = _schema(world, "district_admin", tmp_path).include(
        path_regex=r"^/api/v1/(cases|uploads|areas|points)/"
    )
    # Twice the scenarios of the whole-schema runs. Which links a scenario follows depends on
    # the answers before it: in the whole PostgreSQL suite on two workers (December 2026) the
    # fixed seed followed every link but the transitions, in 25 scenarios and in 50, while
    # the same tests in one process followed them all. Up to two more runs with fresh seeds
    # then look for the links not yet followed; every run must pass every check.
    followed, fed, failures, _checks = _run(schema, world, examples=2 * EXAMPLES)
    assert failures == [], "\n".join(failures)
    for _attempt in range(2):
        if "POST /api/v1/cases/{id}/transitions/" in _targets(followed):
            break
        more, _fed, failures, _checks = _run(
            schema, world, examples=2 * EXAMPLES, derandomize=False
        )
        assert failures == [], "\n".join(failures)
        followed.update(more)
    assert {
        "POST /api/v1/cases/",
        "GET /api/v1/cases/{id}/",
        "POST /api/v1/cases/{id}/transitions/",
    } <= _targets(followed)
    assert fed["GET /api/v1/cases/{id}/ 200"] > 0
