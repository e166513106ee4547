"""Shipping: zones, methods, non-overlapping tiers and the one-statement quote."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from pantry.shipping.errors import (
    RateOverlap,
    ShippingRequired,
    ShippingUnavailable,
    UnknownCountry,
)
from pantry.shipping.models import Rate, Zone
from pantry.shipping.services import (
    ShippingQuote,
    add_method,
    add_rate,
    create_zone,
    quote_shipping,
    shipping_for,
)
from tests.helpers import count_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def eu(db):
    zone = create_zone(name="EU", countries=["de", "FR", "AT"])
    add_method(zone=zone, code="eu-standard", name="Standard")
    add_method(zone=zone, code="eu-express", name="Express")
    add_rate(method_code="eu-standard", currency="EUR", price=Decimal("4.90"))
    add_rate(
        method_code="eu-express",
        currency="EUR",
        price=Decimal("9.90"),
        max_weight_g=2000,
    )
    add_rate(
        method_code="eu-express",
        currency="EUR",
        price=Decimal("19.90"),
        min_weight_g=2000,
        max_weight_g=10000,
    )
    return zone


def quote(country="DE", weight_g=500, subtotal="30.00", currency="EUR"):
    return quote_shipping(
        country=country,
        weight_g=weight_g,
        subtotal=Decimal(subtotal),
        currency=currency,
    )


def test_a_zone_keeps_its_countries_upper_cased_and_sorted(eu):
    assert Zone.objects.get(name="EU").countries == ["AT", "DE", "FR"]


def test_an_unknown_country_is_refused_naming_it():
    with pytest.raises(UnknownCountry, match=re.escape("'XX' is not an ISO 3166-1")):
        create_zone(name="Nowhere", countries=["DE", "XX"])

    assert not Zone.objects.exists()


def test_the_database_refuses_a_zone_country_that_is_not_two_capitals():
    with pytest.raises(IntegrityError, match="shipping_zone_countries_iso"):
        Zone.objects.create(name="Bad", countries=["DE", "fr"])


def test_a_light_parcel_gets_both_methods_cheapest_first(eu):
    assert quote(weight_g=500) == [
        ShippingQuote("eu-standard", "Standard", Decimal("4.90")),
        ShippingQuote("eu-express", "Express", Decimal("9.90")),
    ]


def test_a_tier_boundary_belongs_to_the_upper_tier(eu):
    assert quote(weight_g=1999)[1].price == Decimal("9.90")
    assert quote(weight_g=2000)[1].price == Decimal("19.90")


def test_a_method_with_no_tier_for_the_weight_is_not_offered(eu):
    assert [q.code for q in quote(weight_g=10000)] == ["eu-standard"]


def test_no_method_serves_a_country_outside_every_zone_or_another_currency(eu):
    assert quote(country="US") == []
    assert quote(currency="USD") == []


def test_a_quote_with_an_unknown_country_is_refused(eu):
    with pytest.raises(UnknownCountry):
        quote(country="Germany")


def test_tiers_by_subtotal_make_shipping_free_above_a_threshold(db):
    zone = create_zone(name="UK", countries=["GB"])
    add_method(zone=zone, code="uk-standard", name="Standard")
    add_rate(
        method_code="uk-standard",
        currency="GBP",
        price=Decimal("3.50"),
        max_subtotal=Decimal("50"),
    )
    add_rate(
        method_code="uk-standard",
        currency="GBP",
        price=Decimal("0.00"),
        min_subtotal=Decimal("50"),
    )

    assert quote("GB", subtotal="49.99", currency="GBP")[0].price == Decimal("3.50")
    assert quote("GB", subtotal="50.00", currency="GBP")[0].price == Decimal("0.00")


def test_an_overlapping_tier_is_refused_and_nothing_is_added(eu):
    with pytest.raises(
        RateOverlap,
        match=re.escape("This rate overlaps another EUR rate of 'eu-express'."),
    ):
        add_rate(
            method_code="eu-express",
            currency="EUR",
            price=Decimal("12.00"),
            min_weight_g=1000,
            max_weight_g=3000,
        )

    assert Rate.objects.filter(method__code="eu-express").count() == 2


def test_the_database_refuses_overlapping_tiers_whatever_the_writer(eu):
    rate = Rate.objects.get(method__code="eu-standard")
    rate.pk = None

    with pytest.raises(IntegrityError, match="shipping_rate_no_overlap"):
        rate.save()


def test_the_same_ranges_in_another_currency_do_not_overlap(eu):
    add_rate(method_code="eu-standard", currency="USD", price=Decimal("5.50"))

    assert quote(currency="USD")[0].price == Decimal("5.50")


def test_the_quote_is_one_statement_read_through_indexes(eu):
    assert count_queries(lambda: quote()) == 1

    with connection.cursor() as cursor, transaction.atomic():
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT m.code, r.price FROM shipping_zone z"
            " JOIN shipping_method m ON m.zone_id = z.id AND m.is_active"
            " JOIN shipping_rate r ON r.method_id = m.id"
            " WHERE z.countries @> ARRAY['DE']::varchar(2)[]"
            " AND r.currency = 'EUR' AND r.weight_g @> 500"
            " AND r.subtotal @> 30.00::numeric"
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Seq Scan" not in plan, plan
    # On a table this small the planner may take the method index or the
    # EXCLUDE constraint's GiST index for the tiers; either is an index.
    assert re.search(r"Index (Only )?Scan using \S+ on shipping_rate", plan) or (
        "Bitmap Index Scan on shipping_rate" in plan
    ), plan


def test_shipped_lines_need_an_address_and_a_method(eu):
    args = {"weight_g": 100, "subtotal": Decimal("5"), "currency": "EUR"}

    with pytest.raises(ShippingRequired) as no_address:
        shipping_for(needs_shipping=True, method="eu-standard", country=None, **args)
    with pytest.raises(ShippingRequired) as no_method:
        shipping_for(needs_shipping=True, method=None, country="DE", **args)

    assert no_address.value.fields == {
        "shipping_address": "Required: a line needs shipping."
    }
    assert no_method.value.fields == {
        "shipping_method": "Required: a line needs shipping."
    }


def test_an_order_with_nothing_to_ship_needs_no_method(eu):
    assert (
        shipping_for(
            needs_shipping=False,
            method=None,
            country=None,
            weight_g=0,
            subtotal=Decimal("5"),
            currency="EUR",
        )
        is None
    )


def test_a_method_that_does_not_serve_the_address_is_unavailable(eu):
    with pytest.raises(
        ShippingUnavailable,
        match=re.escape("Shipping method 'eu-standard' does not serve US"),
    ):
        shipping_for(
            needs_shipping=True,
            method="eu-standard",
            country="US",
            weight_g=100,
            subtotal=Decimal("5"),
            currency="EUR",
        )


def test_the_chosen_method_is_priced(eu):
    chosen = shipping_for(
        needs_shipping=True,
        method="eu-express",
        country="FR",
        weight_g=2500,
        subtotal=Decimal("5"),
        currency="EUR",
    )

    assert chosen == ShippingQuote("eu-express", "Express", Decimal("19.90"))
