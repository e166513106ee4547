"""Server-side binding: a write request's repeated statements are prepared,
a read's never are."""

from __future__ import annotations

import pytest
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from pantry.catalog.models import Product
from pantry.core.transactions import WriteTransactionMiddleware, prepared_statements

pytestmark = pytest.mark.django_db


def _prepared(marker: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s",
            [f"%{marker}%"],
        )
        return [row[0] for row in cursor.fetchall()]


def _view(request: HttpRequest) -> HttpResponse:
    list(Product.objects.filter(slug=request.GET["slug"]).values_list("id"))
    return HttpResponse("ok")


def test_a_statement_a_write_request_repeats_is_prepared_with_parameters():
    middleware = WriteTransactionMiddleware(_view)
    # psycopg prepares a statement on its fifth execution.
    for n in range(6):
        middleware(RequestFactory().post(f"/x?slug=no-such-{n}"))

    statements = _prepared('"catalog_product"."slug" =')

    assert len(statements) == 1
    assert "$1" in statements[0]
    assert "no-such" not in statements[0]


def test_a_read_request_prepares_nothing_however_often_it_runs():
    middleware = WriteTransactionMiddleware(_view)
    for n in range(8):
        middleware(RequestFactory().get(f"/x?slug=no-such-{n}"))

    assert _prepared('"catalog_product"."slug" =') == []


def test_preparing_stops_when_the_block_ends():
    with prepared_statements():
        assert connection.connection.prepare_threshold == 5

    assert connection.connection.prepare_threshold is None
    for _ in range(6):
        list(Product.objects.filter(name="read").values_list("id"))
    assert _prepared('"catalog_product"."name" =') == []
