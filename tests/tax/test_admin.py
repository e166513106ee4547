"""The tax admin: constant queries per list, overlapping periods refused."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from pantry.core.countries import COUNTRIES
from pantry.tax.models import TaxClass, TaxRate
from pantry.tax.services import add_tax_rate
from tests.helpers import count_queries

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("standard_tax_class")]
SINCE = datetime(2020, 1, 1, tzinfo=UTC)
LIST = "/admin/tax/taxrate/"


def test_the_rate_list_costs_the_same_queries_for_1_and_30_rates(admin_client):
    countries = sorted(COUNTRIES)[:30]
    add_tax_rate(
        tax_class="standard", country=countries[0], rate=Decimal(19), valid_from=SINCE
    )
    admin_client.get(LIST)
    one = count_queries(lambda: admin_client.get(LIST))
    for country in countries[1:]:
        klass = TaxClass.objects.create(code=f"c-{country.lower()}", name=country)
        add_tax_rate(
            tax_class=klass.code, country=country, rate=Decimal(7), valid_from=SINCE
        )

    thirty = count_queries(lambda: admin_client.get(LIST))

    assert TaxRate.objects.count() == 30
    assert one == thirty


def test_an_overlapping_period_is_refused_with_a_message(admin_client):
    add_tax_rate(tax_class="standard", country="DE", rate=Decimal(19), valid_from=SINCE)

    response = admin_client.post(
        "/admin/tax/taxrate/add/",
        {
            "tax_class": TaxClass.objects.get(code="standard").pk,
            "country": "de",
            "region": "",
            "rate": "16",
            "valid_0": "2021-01-01 00:00:00",
            "valid_1": "",
        },
    )

    assert response.status_code == 200
    assert "Another rate of this class holds there" in response.text
    assert TaxRate.objects.count() == 1
