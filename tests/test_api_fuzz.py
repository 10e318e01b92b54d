"""Property-based fuzz of the whole API (issue 20): schemathesis generates requests from the OpenAPI
schema drf-spectacular serves, for every operation, as a rep, a manager and sales ops, in-process
against the WSGI app. No request may get a 5xx and every response must match the schema.

`make test` runs one positive and one negative example per operation and role (FUZZ_EXAMPLES,
default 1) with a fixed seed (`derandomize`); `make fuzz` runs many more. Each request runs in a savepoint that is rolled back,
so every case sees the same data and the run is reproducible.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.meetings.factories import AttendeeFactory, MeetingFactory

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "1"))
CHECKS = [not_a_server_error, response_schema_conformance]


@dataclass
class Run:
    cases: Counter[str] = field(default_factory=Counter)
    unsatisfiable: int = 0
    failures: dict[str, str] = field(default_factory=dict)


def _schema(client: Any) -> schemathesis.BaseSchema:
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = schemathesis.openapi.from_dict(json.loads(response.content))
    schema.app = WSGIHandler()
    return schema


def _fuzz_operation(
    operation: Any, mode: GenerationMode, token: str, run: Run, object_id: int | None = None
) -> None:
    kind = mode.value if object_id is None else f"{mode.value} on an existing object"
    label = f"{operation.label} [{kind}]"
    fixed = None if object_id is None else {"id": object_id}

    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=fixed))
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def one(case: schemathesis.Case) -> None:
        run.cases[kind] += 1
        with transaction.atomic():
            try:
                response = case.call(headers={"Authorization": f"Token {token}"})
                case.validate_response(response, checks=CHECKS)
            except (AssertionError, FailureGroup) as exc:  # collected, reported per operation
                run.failures.setdefault(label, f"{type(exc).__name__}: {exc}"[:1500])
            finally:
                transaction.set_rollback(True)

    try:
        one()
    except Unsatisfiable:
        run.unsatisfiable += 1  # e.g. nothing to negate in a GET without parameters


@contextlib.contextmanager
def _on_the_test_connection() -> Iterator[None]:
    """Requests through the WSGI app keep the test's connection and transaction open, as Django's
    test client arranges for its own requests."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    client_errors = logging.getLogger("django.request")
    level = client_errors.level
    client_errors.setLevel(logging.ERROR)  # thousands of expected 4xx; 5xx are still logged
    try:
        yield
    finally:
        client_errors.setLevel(level)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.parametrize("role", ["rep_a1", "manager_a", "sales_ops"])
def test_no_request_gets_a_server_error_or_breaks_the_schema(
    personas: Any, client_for: Callable[[Any], Any], role: str
) -> None:
    user = getattr(personas, role)
    meeting = MeetingFactory(organizer=personas.rep_a1.person)
    AttendeeFactory(meeting=meeting, person=personas.rep_a1.person)
    # Random ids rarely hit a row: the detail routes of these also run on one that exists.
    existing = {
        "/api/v1/meetings/{id}/": meeting.pk,
        "/api/v1/people/{id}/": personas.rep_a1.person.pk,
        "/api/v1/teams/{id}/": personas.rep_a1.person.team_id,
    }
    token = Token.objects.create(user=user).key
    schema = _schema(client_for(user))
    run = Run()
    started = time.monotonic()
    operations = 0
    with _on_the_test_connection():
        for result in schema.get_all_operations():
            operation = result.ok()
            operations += 1
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                _fuzz_operation(operation, mode, token, run)
            for prefix, object_id in existing.items():
                if operation.path.startswith(prefix):
                    _fuzz_operation(operation, GenerationMode.POSITIVE, token, run, object_id)
    seconds = time.monotonic() - started
    print(
        f"\nfuzz {role}: {operations} operations, {sum(run.cases.values())} cases "
        f"({dict(run.cases)}; {run.unsatisfiable} with nothing to negate), {seconds:.1f} s"
    )
    assert not run.failures, "\n\n".join(f"{k}\n{v}" for k, v in sorted(run.failures.items()))
