"""Health, readiness, Server-Timing and the JSON error shape of API.md."""

from __future__ import annotations

import re

import pytest
from django.db import connection

from tests.helpers import assert_error, http, production_server


def test_healthz_answers_while_the_process_is_up(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_ok_when_the_database_answers_and_migrations_are_applied(client, db):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db(transaction=True)
def test_readyz_is_503_with_the_reason_while_a_migration_is_unapplied(client):
    # Committed: /readyz reads on a connection of its own.
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM django_migrations WHERE app = 'core' AND name = '0002_add_api_token'"
            " RETURNING applied"
        )
        (applied,) = cursor.fetchone()
    try:
        response = client.get("/readyz")
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO django_migrations (app, name, applied)"
                " VALUES ('core', '0002_add_api_token', %s)",
                [applied],
            )

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "reason": "unapplied migrations: core.0002_add_api_token",
    }


def test_readyz_is_503_when_the_database_is_unreachable_and_healthz_stays_200():
    env = {
        "DATABASE_URL": "postgres://nobody@127.0.0.1:9/shop",
        "PANTRY_DB_POOL_TIMEOUT": "2",
    }
    with production_server(env) as base:
        ready = http("GET", base + "/readyz")
        health = http("GET", base + "/healthz")

    assert ready.status == 503
    assert ready.body["status"] == "unavailable"
    assert ready.body["reason"].startswith("database: ")
    assert health.status == 200


def test_server_timing_reports_database_time_and_query_count(client, db, settings):
    settings.PANTRY_SERVER_TIMING = True

    response = client.get("/api/v1/categories")

    assert re.fullmatch(
        r'db;dur=\d+\.\d\d;desc="1 queries", app;dur=\d+\.\d\d',
        response["Server-Timing"],
    )


def test_server_timing_is_off_unless_asked_for(client, db):
    assert "Server-Timing" not in client.get("/readyz")


def test_an_unknown_api_path_is_a_json_404(api):
    assert_error(api.get("/api/v1/no-such-thing"), 404, "not_found")


def test_a_wrong_method_is_a_json_405_with_allow(api, staff_token):
    response = api.post("/api/v1/me", {}, token=staff_token)

    assert_error(response, 405, "method_not_allowed")
    assert response.headers["Allow"] == "GET"


def test_the_openapi_document_and_docs_are_served(client):
    schema = client.get("/api/v1/openapi.json")
    docs = client.get("/api/v1/docs")

    assert schema.status_code == 200
    assert schema.json()["info"]["title"] == "pantry"
    assert docs.status_code == 200


@pytest.mark.parametrize(
    "path", ["/api/v1/%ff", "/api/v1/me/../../etc/passwd", "/api/v1/" + "x" * 5000]
)
def test_odd_paths_get_json_errors_not_500(api, path):
    response = api.get(path)

    assert 400 <= response.status < 500
    assert isinstance(response.body, dict)
    assert "error" in response.body
