"""Test setup: real PostgreSQL (embedded unless DATABASE_URL), N+1 as errors."""

from __future__ import annotations

import os
from typing import Any

import pytest

# The suite is written against the test settings: a shell that exports
# another PANTRY_ENV (production, say) must not change what it runs under.
os.environ["PANTRY_ENV"] = "test"


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    if settings.EMBEDDED_DATABASE:
        from pantry.platform.embedded import EmbeddedPostgres

        started = EmbeddedPostgres().ensure_running()
        # Only the process that started the server stops it; xdist workers
        # find it running.
        if started and not hasattr(config, "workerinput"):
            config.stash[_STARTED] = True


def pytest_unconfigure(config: pytest.Config) -> None:
    if config.stash.get(_STARTED, False):
        from pantry.platform.embedded import EmbeddedPostgres

        EmbeddedPostgres().stop()


_STARTED = pytest.StashKey[bool]()


@pytest.fixture
def api(client: Any) -> Any:
    from tests.helpers import ApiClient

    return ApiClient(client)


@pytest.fixture
def staff_token(db: None) -> str:
    from pantry.core.services import create_token

    return create_token(username="staff")


@pytest.fixture
def standard_tax_class(db: None) -> None:
    """The built-in tax class its data migration creates.

    Transactional tests flush the database, migration data included, so
    tests that need the class ask for it rather than rely on the migration.
    """
    from pantry.tax.models import TaxClass

    TaxClass.objects.get_or_create(code="standard", defaults={"name": "Standard"})
