"""`pantry migrate`: timeouts with a clear message, rehearsals on a copy."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.test import override_settings

pytestmark = pytest.mark.django_db(transaction=True)

PENDING = [
    "catalog.0010_productsummary_category_not_null",
    "catalog.0011_add_summary_category_price_index",
    "catalog.0012_product_category_cover_index",
    "catalog.0013_product_properties_index",
    "catalog.0014_add_promotion_deepest_index",
]


@pytest.fixture
def catalog_at_0009() -> Iterator[None]:
    call_command("migrate", "catalog", "0009", verbosity=0)
    try:
        yield
    finally:
        call_command("migrate", verbosity=0)


def applied() -> set[str]:
    return {
        f"{app}.{name}"
        for app, name in MigrationRecorder(connection).applied_migrations()
    }


def other_session() -> psycopg.Connection:
    db = connection.settings_dict
    return psycopg.connect(
        dbname=db["NAME"],
        user=db["USER"] or None,
        host=db["HOST"] or None,
        port=db["PORT"] or None,
    )


def test_a_rehearsal_reports_each_pending_migration_and_leaves_the_database_alone(
    catalog_at_0009: None,
):
    out = io.StringIO()

    call_command("migrate", "--rehearse", "--json", stdout=out)

    document = json.loads(out.getvalue())
    names = [item["migration"] for item in document["migrations"]]
    assert names[: len(PENDING)] == PENDING
    first = document["migrations"][0]
    assert first["strongest_lock"]["relation"] == "catalog_productsummary"
    assert first["strongest_lock"]["mode"] == "AccessExclusiveLock"
    assert first["reads_blocked_seconds"] == first["strongest_lock"]["seconds"]
    assert first["seconds"] >= first["reads_blocked_seconds"] > 0
    concurrent = document["migrations"][4]
    assert concurrent["reads_blocked_seconds"] == 0
    assert concurrent["writes_blocked_seconds"] == 0
    assert not set(PENDING) & applied()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_database WHERE datname LIKE %s",
            [f"{connection.settings_dict['NAME'][:40]}_rehearsal_%"],
        )
        assert cursor.fetchone()[0] == 0


def test_a_rehearsal_with_nothing_pending_says_so():
    out = io.StringIO()

    call_command("migrate", "--rehearse", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0].startswith(f"copied {connection.settings_dict['NAME']} to ")
    assert lines[-1] == "no pending migrations"


@override_settings(PANTRY_MIGRATION_LOCK_TIMEOUT="200ms")
def test_a_lock_that_cannot_be_had_in_time_stops_the_migration_with_one_line(
    catalog_at_0009: None,
):
    with other_session() as reader:
        reader.execute("LOCK TABLE catalog_productsummary IN ACCESS SHARE MODE")

        with pytest.raises(CommandError) as error:
            call_command(
                "migrate",
                "catalog",
                "0010",
                verbosity=0,
            )

    assert str(error.value) == (
        "migration catalog.0010_productsummary_category_not_null could not take "
        "its lock within PANTRY_MIGRATION_LOCK_TIMEOUT=200ms: another session "
        "holds it; nothing of that migration was applied, retry when the shop "
        "is quieter"
    )
    assert PENDING[0] not in applied()
    with connection.cursor() as cursor:
        cursor.execute("SHOW lock_timeout")
        assert cursor.fetchone()[0] == "0"
