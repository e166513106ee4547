"""The whole OpenAPI document fuzzed against the real app and database.

schemathesis generates requests for every operation from the document,
sends them through the WSGI application in this process (every middleware,
the real test database), anonymously and with a staff token, and checks
that no answer is a 5xx and every answer is one the document declares.
Bounded for CI: a few examples per operation, no coverage phase.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from pantry.wsgi import application
from tests.core.fuzz_data import seed_shop

CONFIG = schemathesis.config.SchemathesisConfig.from_dict(
    {
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
        "generation": {"max-examples": 8, "database": "none"},
    }
)
MAX_EXAMPLES = 8
# Business rules (a weak password, an unknown SKU) are 422s a schema cannot
# express, so "valid data accepted" is not asked; everything else is.
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_headers_conformance,
    schemathesis.checks.response_schema_conformance,
]

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_process() -> Iterator[None]:
    # Like Django's test client: the request cycle must not close the
    # connection that holds the test's transaction.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def staff_token(db: None, in_process: None) -> str:
    return seed_shop()


# Loading the document needs no database: it is built from the code.
schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json", application, config=CONFIG
)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_anonymous_requests_never_fail_and_match_the_document(case, staff_token):
    case.call_and_validate(checks=CHECKS)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_staff_requests_never_fail_and_match_the_document(case, staff_token):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {staff_token}"}, checks=CHECKS
    )
