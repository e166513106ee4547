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
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tests.core import fuzz_data
from tests.core.fuzz_data import seed_shop

# Django's own entry point, not pantry.wsgi: that marks the process as a web
# server, and every process the test suite starts would inherit the mark.
application = get_wsgi_application()

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

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]


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
    token, number = seed_shop()
    REAL_KEYS["number"] = number
    return token


# Loading the document needs no database: it is built from the code.
schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json", application, config=CONFIG
)


# Generated keys and SKUs almost never exist, so requests would stop at a
# 404 or 422 before the database: half of them use the shop's real ones.
REAL_KEYS = {"slug": fuzz_data.SLUG, "sku": fuzz_data.SKU, "number": ""}


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    path = context.operation.path if context.operation else ""
    if not path_parameters:
        return st.just(path_parameters)
    real = {
        name: fuzz_data.POST if name == "slug" and "/posts/" in path else value
        for name, value in REAL_KEYS.items()
        if name in path_parameters
    }
    return st.sampled_from([path_parameters, {**path_parameters, **real}])


@schema.hook
def flatmap_body(context, body):
    # Orders and quotes that reach stock, with text the edge must judge.
    path = context.operation.path if context.operation else ""
    if not isinstance(body, dict) or path not in (
        "/api/v1/orders",
        "/api/v1/checkout/quote",
    ):
        return st.just(body)
    return st.builds(
        lambda name, quantity: {
            **body,
            "customer": {"name": name, "email": "ada@example.com"},
            "lines": [{"sku": fuzz_data.SKU, "quantity": quantity}],
        },
        st.sampled_from(fuzz_data.HOSTILE),
        st.integers(min_value=-1, max_value=3),
    ) | st.just(body)


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
