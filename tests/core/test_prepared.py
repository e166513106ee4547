"""Server-side binding: statements a connection repeats are prepared once."""

from __future__ import annotations

import pytest
from django.db import connection

from pantry.catalog.models import Product

pytestmark = pytest.mark.django_db


def _prepared(marker: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s",
            [f"%{marker}%"],
        )
        return [row[0] for row in cursor.fetchall()]


def test_a_repeated_query_is_prepared_with_its_values_as_parameters():
    # psycopg prepares a statement on its fifth execution.
    for n in range(6):
        list(Product.objects.filter(slug=f"no-such-{n}").values_list("id"))

    statements = _prepared('"catalog_product"."slug" =')

    assert len(statements) == 1
    assert "$1" in statements[0]
    assert "no-such" not in statements[0]


def test_a_query_run_once_is_not_prepared():
    list(Product.objects.filter(name="only once").values_list("id"))

    assert _prepared('"catalog_product"."name" =') == []
