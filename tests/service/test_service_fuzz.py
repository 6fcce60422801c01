"""A fuzz run of the OpenAPI schema (schemathesis) against the running service: no 5xx.

Every operation gets generated requests, valid and invalid, with a write key (so the
requests reach the routes' own checks, not only the key check), and every answer must
be a non-5xx that matches the schema's documented responses. Bounded: a few dozen
examples per operation, derandomised so a run repeats.
"""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, given, settings  # noqa: E402

from .server import WRITE_KEY  # noqa: E402

EXAMPLES = 40
SKIPPED = {"/v1/admin/refit"}
"""Each refit starts a child process and fits a model: fuzzing it only adds minutes."""


def test_no_generated_request_makes_the_service_fail(service):
    schema = schemathesis.openapi.from_url(service.url + "/openapi.json")
    checked = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path in SKIPPED:
            continue

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def fuzz(case):
            case.headers = {**(case.headers or {}), "X-API-Key": WRITE_KEY}
            response = case.call(timeout=30)
            assert response.status_code < 500, (
                f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:300]}")
            case.validate_response(response)

        fuzz()
        checked.append(f"{operation.method.upper()} {operation.path}")
    assert len(checked) >= 8, checked
