"""Every documented operation of /api/v1/ answers per its schema (schemathesis, bounded).

The schema is loaded from the WSGI application itself; each operation gets a handful of
generated requests (derandomised, no deadline, no example database), sent with a street
officer's token over the cases world, and each answer must be no server error and match its
documented schema. The operations run in one test, so the world is built once and the test
stays well under a minute. (schemathesis' own lazy pytest loader reads a private pytest
attribute that pytest 9 no longer has, hence the explicit loop over the operations.)
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from config.wsgi import application
from juli.cases.tests.conftest import _media, new_case, put, world  # noqa: F401 - fixtures

CHECKS = [not_a_server_error, response_schema_conformance]
EXAMPLES = 6


def test_it_answers_every_operation_per_its_schema(world):  # noqa: F811 - the fixture
    # Cases in several states, so small generated ids reach real rows, not only 404s.
    new_case(world)
    put(new_case(world), "accepted", world)
    put(new_case(world), "dispatched", world)
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
    labels = []
    failures: dict[str, list[str]] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        labels.append(operation.label)

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Any) -> None:
            # Fetched per call: DELETE /auth/token/ is one of the operations under test.
            token, _created = Token.objects.get_or_create(user=world.c.street_officer)
            headers = {"Authorization": f"Token {token.key}"}
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            check()
        except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 - reported below
            failures[operation.label] = [ln for ln in str(error).splitlines() if ln.strip()][:8]
    print(failures)
    assert failures == {}
    assert "POST /api/v1/cases/{id}/transitions/" in labels
    assert "GET /api/v1/points/" in labels
    assert len(labels) == len(set(labels))
