"""Every documented operation of /api/v1/ answers per its schema: schemathesis, all checks.

The schema is loaded from the WSGI application itself and schemathesis' engine runs its
examples, coverage and fuzzing phases over every operation, with every check it has
(`--checks all`: server errors, status codes, content types, headers and bodies against the
schema, schema-violating data refused and schema-valid data accepted, missing required
headers, unsupported methods and their `Allow`, authentication that is really enforced, …),
once as a district admin and once as an outsider (juli/api/tests/fuzzing.py: the roles, the
world, the plumbing, and the few failures a check reports wrongly, each excluded with its
reason). Derandomised (a fixed seed) and bounded: the coverage phase is a fixed list of
cases, and JULI_SCHEMATHESIS_FUZZ_EXAMPLES (default 4) fuzzed examples per operation and mode
(schema-valid and schema-violating); about 30 s per role. Generated ids mostly miss, so a
second test sends realistic requests (a report, an inspection, transitions, details of
existing rows) through the same checks, so the 2xx schemas are exercised too. The stateful
runs along the schema's links are test_schemathesis_stateful.py.
"""

from __future__ import annotations

import os
import uuid
from collections import Counter
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from schemathesis.config import SchemathesisConfig
from schemathesis.core.result import Ok
from schemathesis.engine import events, from_schema

from config.wsgi import application
from juli.cases.tests.conftest import _media, new_case, put, world  # noqa: F401 - fixtures

from .fuzzing import (
    ALL_CHECK_NAMES,
    ALL_CHECKS,
    ROLES,
    build_world,
    connection_shared_with_threads,  # noqa: F401 - fixture
    failures_of,
    keep_failure,
    shared_connection_app,
    token_for,
    wsgi_probes_without_socket_settings,  # noqa: F401 - fixture
)

EXAMPLES = int(os.environ.get("JULI_SCHEMATHESIS_FUZZ_EXAMPLES", "4"))
#: Fixed, so that CI sends the same requests every run; another one for a hunt.
SEED = int(os.environ.get("JULI_SCHEMATHESIS_SEED", "20261124"))


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Any:
    """Calls go straight to the WSGI handler, whose request signals would close the test's
    connection (and its transaction) on PostgreSQL; Django's test client unhooks them too."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _headers(w: Any) -> dict[str, str]:
    # Fetched per call: DELETE /auth/token/ is one of the operations under test.
    return {"Authorization": f"Token {token_for(w.c.street_officer)}"}


def _run(user: Any) -> tuple[list[str], Counter[str], set[str]]:
    """Run the engine over every operation as `user`. Answer the failures (an operation of
    the schema left untested is one), the statuses answered (per class) and the checks run."""
    config = SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "workers": 1,
            "headers": {"Authorization": f"Token {token_for(user)}"},
            "checks": {"enabled": True},
            "generation": {
                "max-examples": EXAMPLES,
                "deterministic": True,
                "mode": "all",
                "database": "none",
            },
            "phases": {"stateful": {"enabled": False}},
        }
    )
    app = shared_connection_app(application, [user])
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", app, config=config)
    schema.hook("filter_failure")(keep_failure)
    failures: list[str] = []
    statuses: Counter[str] = Counter()
    operations: set[str] = set()
    checks: set[str] = set()
    documented = {
        result.ok().label for result in schema.get_all_operations() if isinstance(result, Ok)
    }
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            recorder = event.recorder
            operations.add(recorder.label)
            failures.extend(failures_of(recorder))
            checks |= {node.name for nodes in recorder.checks.values() for node in nodes}
            for interaction in recorder.interactions.values():
                if interaction.response is not None:
                    statuses[f"{interaction.response.status_code // 100}xx"] += 1
        elif isinstance(event, events.NonFatalError):
            failures.append(f"{event.label}: error: {event.info.message}")
        elif isinstance(event, events.FatalError):
            failures.append(f"engine: {event.exception!r}")
        elif isinstance(event, events.EngineFinished):
            failures.extend(str(failure) for failure in event.failures or [])
    untested = sorted(documented - operations)
    return sorted(set(failures)) + [f"{label}: not tested" for label in untested], statuses, checks


@pytest.mark.usefixtures("wsgi_probes_without_socket_settings", "connection_shared_with_threads")
@pytest.mark.parametrize("role", ROLES)
def test_it_answers_every_operation_per_its_schema(world, role):  # noqa: F811 - the fixture
    build_world(world)
    failures, statuses, checks = _run(getattr(world.c, role))
    assert failures == [], "\n".join(failures)
    # Every check ran (those on sequences of calls find them in the stateful test).
    assert checks == ALL_CHECK_NAMES
    # Both refusals and answers were checked.
    assert statuses["2xx"] > 100
    assert statuses["4xx"] > 100


def test_it_answers_realistic_requests_per_the_schema(world):  # noqa: F811 - the fixture
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
    reported = new_case(world)
    accepted = put(new_case(world), "accepted", world)

    def call(method: str, path: str, expected: int, **kw: Any) -> Any:
        operation = schema[path][method]
        case = operation.Case(media_type="application/json" if "body" in kw else None, **kw)
        # Every registered check is a function (see `ALL_CHECKS`), but the registry's item type
        # also admits check classes, which `call_and_validate`'s `checks` does not.
        response = case.call_and_validate(
            headers=_headers(world),
            checks=ALL_CHECKS,  # type: ignore[arg-type]
        )
        assert response.status_code == expected, response.text
        return response

    call("GET", "/api/v1/cases/{id}/", 200, path_parameters={"id": reported.pk})
    call("GET", "/api/v1/cases/{id}/photos/", 200, path_parameters={"id": accepted.pk})
    call("GET", "/api/v1/cases/", 200, query={"status": ["reported"], "page_size": 1})
    call("GET", "/api/v1/points/{id}/", 200, path_parameters={"id": world.point_a.pk})
    call(
        "POST",
        "/api/v1/cases/{id}/transitions/",
        200,
        path_parameters={"id": reported.pk},
        body={"action": "accept", "client_uuid": str(uuid.uuid4())},
    )
    call(
        "POST",
        "/api/v1/cases/{id}/transitions/",
        409,
        path_parameters={"id": reported.pk},
        body={"action": "close"},
    )
    call(
        "POST",
        "/api/v1/cases/{id}/transitions/",
        200,
        path_parameters={"id": accepted.pk},
        body={"action": "dispatch", "unit": world.c.property_co.pk},
    )
    call(
        "POST",
        "/api/v1/cases/{id}/publication/",
        200,
        path_parameters={"id": accepted.pk},
        body={"public_reply": "已派物业处理。", "is_public": True},
    )
    call(
        "POST",
        "/api/v1/cases/",
        201,
        body={
            "client_uuid": str(uuid.uuid4()),
            "category": world.litter.pk,
            "point": world.point_b.pk,
            "title": "垃圾",
            "lat": "31.2",
            "lng": "121.47",
        },
    )
    inspection = call(
        "POST",
        "/api/v1/inspections/",
        201,
        body={
            "client_uuid": str(uuid.uuid4()),
            "point": world.point_a.pk,
            "started_at": timezone.now().isoformat(),
            "results": [{"item": world.item_clean.pk, "passed": False, "note": "脏"}],
        },
    )
    call("GET", "/api/v1/inspections/{id}/", 200, path_parameters={"id": inspection.json()["id"]})
