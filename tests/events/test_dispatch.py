"""Webhook deliveries to a real HTTP receiver on 127.0.0.1."""

import os
import signal
import subprocess
import sys
import time

import pytest
from standardwebhooks import Webhook

from pantry.events.dispatch import Dispatcher, lease_seconds, retry_delay
from pantry.events.endpoints import change_endpoint, register_endpoint
from pantry.events.models import Attempt, Delivery
from pantry.events.outbox import emit
from tests.events.conftest import database_url
from tests.helpers import ROOT


@pytest.fixture
def fast_retries(settings):
    settings.PANTRY_WEBHOOK_RETRY_BASE = 0
    settings.PANTRY_WEBHOOK_TIMEOUT = 2
    return settings


def _dispatch_once() -> int:
    dispatcher = Dispatcher(batch=50, concurrency=4)
    try:
        return dispatcher.run(once=True)
    finally:
        dispatcher.close()


@pytest.mark.django_db
def test_a_receiver_failing_twice_gets_the_event_three_times_with_one_id_and_valid_signatures(
    receiver, fast_retries
):
    receiver.fail_first = 2
    endpoint = register_endpoint(url=receiver.url, events=["order.paid"])
    emit("order.paid", {"number": "PA-1"})

    _dispatch_once()

    requests = receiver.wait_for(3)
    assert len(requests) == 3
    assert {r.headers["webhook-id"] for r in requests} == {
        requests[0].headers["webhook-id"]
    }
    verifier = Webhook(endpoint.secret)
    for request in requests:
        body = verifier.verify(request.body, request.headers)
        assert body["type"] == "order.paid"
        assert body["data"] == {"number": "PA-1"}
        assert body["id"] == request.headers["webhook-id"]
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempt_count) == ("delivered", 3)
    attempts = Attempt.objects.filter(delivery=delivery).order_by("number")
    assert [(a.number, a.status_code, a.error) for a in attempts] == [
        (1, 500, "HTTP 500"),
        (2, 500, "HTTP 500"),
        (3, 204, ""),
    ]
    assert attempts[0].next_attempt_at is not None
    assert attempts[2].next_attempt_at is None


@pytest.mark.django_db
def test_a_delivery_failing_every_attempt_is_dead_lettered(receiver, fast_retries):
    fast_retries.PANTRY_WEBHOOK_MAX_ATTEMPTS = 3
    receiver.fail_first = 100
    register_endpoint(url=receiver.url, events=["order.paid"])
    emit("order.paid", {"number": "PA-1"})

    _dispatch_once()

    assert len(receiver.requests) == 3
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempt_count) == ("dead", 3)
    assert delivery.next_attempt_at is None


@pytest.mark.django_db
def test_a_disabled_endpoint_receives_nothing_more(receiver, fast_retries):
    endpoint = register_endpoint(url=receiver.url, events=["order.paid"])
    emit("order.paid", {"number": "PA-1"})

    change_endpoint(endpoint_id=endpoint.pk, is_active=False)
    emit("order.paid", {"number": "PA-2"})
    _dispatch_once()

    assert receiver.requests == []
    assert list(Delivery.objects.values_list("status", flat=True)) == ["cancelled"]


@pytest.mark.django_db
def test_a_delivery_to_a_private_address_is_refused_when_the_setting_forbids_it(
    receiver, fast_retries
):
    fast_retries.PANTRY_WEBHOOK_MAX_ATTEMPTS = 1
    register_endpoint(url=receiver.url, events=["order.paid"])
    emit("order.paid", {"number": "PA-1"})
    fast_retries.PANTRY_WEBHOOK_ALLOW_PRIVATE = False

    _dispatch_once()

    assert receiver.requests == []
    attempt = Attempt.objects.get()
    assert attempt.status_code is None
    assert attempt.error == (
        "The host 127.0.0.1 is not a public address; webhooks cannot be sent "
        "to loopback, private or link-local addresses."
    )
    assert Delivery.objects.get().status == "dead"


def test_retry_delays_grow_exponentially_with_jitter_up_to_six_hours(settings):
    settings.PANTRY_WEBHOOK_RETRY_BASE = 10

    first = [retry_delay(1).total_seconds() for _ in range(50)]
    fifth = retry_delay(5).total_seconds()
    late = retry_delay(20).total_seconds()

    assert all(8 <= d <= 12 for d in first)
    assert len(set(first)) > 1
    assert 128 <= fifth <= 192
    assert 6 * 3600 * 0.8 <= late <= 6 * 3600 * 1.2


@pytest.mark.django_db(transaction=True)
def test_a_dispatcher_killed_mid_batch_loses_nothing(receiver, settings):
    settings.PANTRY_WEBHOOK_TIMEOUT = 1
    settings.PANTRY_WEBHOOK_RETRY_BASE = 0
    receiver.hang_seconds = 30
    register_endpoint(url=receiver.url, events=["order.paid"])
    for i in range(5):
        emit("order.paid", {"number": f"PA-{i}"})
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "PANTRY_ENV": "test",
        "PANTRY_WEBHOOK_TIMEOUT": "1",
        "PANTRY_LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "pantry.platform.cli", "events", "dispatch"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        in_flight = receiver.wait_for(5, timeout=30)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    receiver.hang_seconds = 0
    assert not Attempt.objects.exists()

    time.sleep(lease_seconds())
    _dispatch_once()

    retried = receiver.requests[5:]
    ids = sorted(r.headers["webhook-id"] for r in in_flight)
    assert sorted(r.headers["webhook-id"] for r in retried) == ids
    assert set(Delivery.objects.values_list("status", flat=True)) == {"delivered"}
