from __future__ import annotations

from typing import Any

import pytest

from pantry.customers.models import Customer
from pantry.customers.services import create_customer_token, sign_up

PASSWORD = "correct horse battery"


def make_customer(
    email: str = "ada@example.com", name: str = "Ada Lovelace", **fields: Any
) -> Customer:
    customer = sign_up(email=email, password=PASSWORD, name=name)
    if fields:
        Customer.objects.filter(pk=customer.pk).update(**fields)
        customer.refresh_from_db()
    return customer


@pytest.fixture
def ada(db: None) -> Customer:
    return make_customer()


@pytest.fixture
def ada_token(ada: Customer) -> str:
    return create_customer_token(customer=ada)
