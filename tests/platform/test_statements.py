"""pg_stat_statements and auto_explain on the embedded server; `pantry db top`."""

from __future__ import annotations

import io
import json
import os
import time

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from pantry.platform.embedded import EmbeddedPostgres

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def preloaded() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SHOW shared_preload_libraries")
        loaded = cursor.fetchone()[0]
    if "pg_stat_statements" not in loaded and os.environ.get("CI") != "true":
        pytest.skip("the running server predates the preload: pantry db stop")


def test_db_top_lists_a_statement_with_its_calls_and_rows():
    # Slow enough (50 ms a call) to rank among the top statements by mean
    # time, however many the rest of the suite has run on this database.
    with connection.cursor() as cursor:
        for _ in range(3):
            cursor.execute(
                "SELECT n AS db_top_marker FROM generate_series(1, 4) n, pg_sleep(0.05)"
            )
    out = io.StringIO()

    call_command("db_top", "--json", "--order", "mean", "--limit", "1000", stdout=out)

    (row,) = [r for r in json.loads(out.getvalue()) if "db_top_marker" in r["query"]]
    assert row["query"] == (
        "SELECT n AS db_top_marker FROM generate_series($1, $2) n, pg_sleep($3)"
    )
    assert row["calls"] >= 3
    assert row["rows"] >= 12
    assert row["total_ms"] >= row["mean_ms"] > 0


def test_db_top_orders_by_mean_time():
    out = io.StringIO()

    call_command("db_top", "--json", "--order", "mean", "--limit", "50", stdout=out)

    means = [row["mean_ms"] for row in json.loads(out.getvalue())]
    assert means == sorted(means, reverse=True)
    assert means


def test_db_top_refuses_a_limit_out_of_range():
    with pytest.raises(CommandError, match=r"^--limit must be between 1 and 1000$"):
        call_command("db_top", "--limit", "0")


@pytest.mark.skipif(not settings.EMBEDDED_DATABASE, reason="reads the embedded log")
def test_statements_over_the_threshold_have_their_plan_logged():
    log = EmbeddedPostgres().log_file
    start = log.stat().st_size
    with connection.cursor() as cursor:
        cursor.execute("SHOW auto_explain.log_min_duration")
        threshold = cursor.fetchone()[0]
        cursor.execute("SET LOCAL auto_explain.log_min_duration = 0")
        cursor.execute("SELECT count(*) AS auto_explain_marker FROM pg_class")

    deadline = time.monotonic() + 5
    text = ""
    while time.monotonic() < deadline and "auto_explain_marker" not in text:
        with open(log, encoding="utf-8", errors="replace") as handle:
            handle.seek(start)
            text = handle.read()
        time.sleep(0.05)
    assert threshold == f"{settings.PANTRY_AUTO_EXPLAIN_MS}ms"
    assert "Query Text: SELECT count(*) AS auto_explain_marker FROM pg_class" in text
    assert "LOG:  duration: " in text
    assert "Aggregate  (cost=" in text
