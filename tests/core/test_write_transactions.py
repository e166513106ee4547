"""Every write request is one transaction: a 5xx leaves nothing behind."""

from __future__ import annotations

import pytest
from django.test import Client

from pantry.catalog.models import Category
from tests.core import late_failure_urls

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.core.late_failure_urls"),
]


@pytest.fixture
def client() -> Client:
    late_failure_urls.attempts.clear()
    return Client(raise_request_exception=False)


def test_an_exception_after_an_insert_leaves_the_database_unchanged(client):
    response = client.post("/late/raises")

    assert response.status_code == 500
    assert not Category.objects.exists()


def test_a_5xx_answer_after_an_insert_leaves_the_database_unchanged(client):
    response = client.post("/late/503")

    assert response.status_code == 503
    assert not Category.objects.exists()


def test_a_4xx_answer_keeps_what_the_request_recorded(client):
    response = client.post("/late/409")

    assert response.status_code == 409
    assert Category.objects.count() == 1


def test_a_deadlocked_request_runs_again_and_only_its_last_attempt_stays(client):
    response = client.post("/late/deadlock")

    assert response.status_code == 201
    assert response.json() == {"attempts": 2}
    assert list(Category.objects.values_list("slug", flat=True)) == ["late-2"]
