"""Request ids, one JSON log line per request, and GET /metrics."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest
from django.db import connection
from prometheus_client import REGISTRY

from tests.factories import VariantFactory
from tests.helpers import http, production_server

pytestmark = pytest.mark.django_db


def test_a_valid_request_id_is_passed_through(client):
    response = client.get("/healthz", headers={"X-Request-Id": "lb-42.abc"})

    assert response["X-Request-Id"] == "lb-42.abc"


@pytest.mark.parametrize("given", [None, "", "has spaces", "x" * 129])
def test_a_missing_or_odd_request_id_is_replaced_by_a_new_one(client, given):
    headers = {"X-Request-Id": given} if given is not None else {}

    response = client.get("/healthz", headers=headers)

    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-Id"])


def test_each_request_is_logged_as_one_json_line(client, caplog):
    logger = logging.getLogger("pantry.request")
    logger.addHandler(caplog.handler)
    logger.setLevel(logging.INFO)
    try:
        client.get("/api/v1/products", headers={"X-Request-Id": "req-1"})
    finally:
        logger.removeHandler(caplog.handler)
        logger.setLevel(logging.NOTSET)

    (record,) = [r for r in caplog.records if r.name == "pantry.request"]
    line = json.loads(record.getMessage())
    assert sorted(line) == [
        "db_ms",
        "duration_ms",
        "method",
        "path",
        "queries",
        "request_id",
        "route",
        "status",
    ]
    assert line["request_id"] == "req-1"
    assert line["route"] == "/api/v1/products"
    assert line["status"] == 200
    assert line["queries"] >= 1
    assert line["duration_ms"] >= line["db_ms"] >= 0


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_metrics_count_requests_by_route_and_status(client):
    labels = {"route": "/healthz", "method": "GET", "status": "200"}
    before = sample("pantry_requests_total", **labels)
    buckets = sample(
        "pantry_request_duration_seconds_count", route="/healthz", status="200"
    )

    client.get("/healthz")
    client.get("/healthz")
    body = client.get("/metrics").content.decode()

    assert sample("pantry_requests_total", **labels) == before + 2
    assert (
        sample("pantry_request_duration_seconds_count", route="/healthz", status="200")
        == buckets + 2
    )
    assert (
        f'pantry_requests_total{{method="GET",route="/healthz",status="200"}} '
        f"{before + 2}" in body
    )
    assert 'pantry_request_duration_seconds_bucket{le="0.005",route="/healthz"' in body


def test_metrics_show_the_pool_and_the_unpaid_orders_backlog(client, api):
    variant = VariantFactory(sku="TEA-1", stock=5)
    placed = api.post(
        "orders",
        {
            "customer": {"name": "Ada", "email": "ada@example.com"},
            "lines": [{"sku": variant.sku, "quantity": 1}],
        },
    )

    body = client.get("/metrics").content.decode()

    assert placed.status == 201
    assert 'pantry_backlog{queue="unpaid_orders"} 1.0' in body
    assert re.search(r"^pantry_db_pool_size \d+\.0$", body, re.MULTILINE)
    assert re.search(r"^pantry_db_pool_in_use \d+\.0$", body, re.MULTILINE)
    assert re.search(r"^pantry_db_pool_waiting 0\.0$", body, re.MULTILINE)
    has_outbox = "events_delivery" in connection.introspection.table_names()
    assert ('pantry_backlog{queue="outbox"}' in body) is has_outbox


def test_metrics_are_refused_to_addresses_outside_the_allow_list(client):
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.9")

    assert response.status_code == 403
    assert json.loads(response.content) == {
        "error": "forbidden",
        "detail": "Metrics are not served to this address.",
    }


def test_a_network_in_the_allow_list_opens_metrics(client, settings):
    settings.PANTRY_METRICS_ALLOW = ["203.0.113.0/24"]

    allowed = client.get("/metrics", REMOTE_ADDR="203.0.113.9")
    refused = client.get("/metrics", REMOTE_ADDR="127.0.0.1")

    assert (allowed.status_code, refused.status_code) == (200, 403)


@pytest.mark.django_db(transaction=True)
def test_metrics_add_up_the_requests_of_every_worker_process(tmp_path: Path):
    db = connection.settings_dict
    env = {
        "PANTRY_ENV": "test",
        "DATABASE_URL": f"postgresql://postgres@/{db['NAME']}",
        "PGHOST": db["HOST"],
        "PGPORT": str(db["PORT"]),
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
    }

    with production_server(env, workers=2) as base:
        for _ in range(20):
            http("GET", f"{base}/healthz")
        body = http("GET", f"{base}/metrics").body.decode()

    match = re.search(
        r'^pantry_requests_total\{method="GET",route="/healthz",status="200"\} (\S+)$',
        body,
        re.MULTILINE,
    )
    assert match is not None, body
    # The server's start-up probe asked /healthz too, once or more.
    assert float(match.group(1)) >= 21
    assert len(list(tmp_path.glob("counter_*.db"))) == 2
