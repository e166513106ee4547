from __future__ import annotations

import pytest

from pantry.customers.models import Customer
from pantry.customers.services import create_customer_token
from tests.factories import make_customer


@pytest.fixture
def ada(db: None) -> Customer:
    return make_customer()


@pytest.fixture
def ada_token(ada: Customer) -> str:
    return create_customer_token(customer=ada)
