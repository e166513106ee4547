"""Tax rates: periods that never overlap, regions, and an order's tax."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal as D

import pytest
from django.db import IntegrityError

from pantry.core.errors import Invalid
from pantry.tax.errors import TaxRateOverlap
from pantry.tax.models import TaxClass, TaxRate
from pantry.tax.services import add_tax_rate, rates_at, tax_order

pytestmark = pytest.mark.django_db

Y2026 = datetime(2026, 1, 1, tzinfo=UTC)
JULY = datetime(2026, 7, 1, tzinfo=UTC)


@pytest.fixture
def germany(db):
    TaxClass.objects.create(code="reduced", name="Reduced")
    add_tax_rate(tax_class="standard", country="DE", rate=D("19"), valid_from=Y2026)
    add_tax_rate(tax_class="reduced", country="DE", rate=D("7"), valid_from=Y2026)


def test_the_standard_class_exists_after_migrating():
    assert TaxClass.objects.filter(code="standard").exists()


def test_a_rate_changing_at_midnight_applies_from_that_instant(db):
    add_tax_rate(
        tax_class="standard",
        country="DE",
        rate=D("19"),
        valid_from=Y2026,
        valid_until=JULY,
    )
    add_tax_rate(tax_class="standard", country="DE", rate=D("16"), valid_from=JULY)
    before = datetime(2026, 6, 30, 23, 59, 59, 999999, tzinfo=UTC)

    old = tax_order(
        lines=[(D("11.90"), "standard")],
        shipping=None,
        country="DE",
        at=before,
        include_tax=True,
    )
    new = tax_order(
        lines=[(D("11.90"), "standard")],
        shipping=None,
        country="DE",
        at=JULY,
        include_tax=True,
    )

    # 11.90 * 19/119 = 1.90; 11.90 * 16/116 = 1.6413.. -> 1.64
    assert (old.lines[0].rate, old.tax) == (D("19.0000"), D("1.90"))
    assert (new.lines[0].rate, new.tax) == (D("16.0000"), D("1.64"))


def test_overlapping_periods_of_one_class_and_country_are_refused(db):
    add_tax_rate(
        tax_class="standard",
        country="DE",
        rate=D("19"),
        valid_from=Y2026,
        valid_until=JULY,
    )

    with pytest.raises(
        TaxRateOverlap,
        match=re.escape("A standard rate for DE already holds during part"),
    ):
        add_tax_rate(
            tax_class="standard",
            country="DE",
            rate=D("16"),
            valid_from=datetime(2026, 6, 1, tzinfo=UTC),
        )

    assert TaxRate.objects.count() == 1


def test_the_database_refuses_overlaps_whatever_the_writer(germany):
    rate = TaxRate.objects.get(tax_class__code="reduced")
    rate.pk = None

    with pytest.raises(IntegrityError, match="tax_taxrate_no_overlap"):
        rate.save()


def test_a_bad_country_or_rate_is_invalid_and_saves_nothing(db):
    with pytest.raises(Invalid) as exc:
        add_tax_rate(
            tax_class="standard", country="XX", rate=D("101"), valid_from=Y2026
        )

    assert exc.value.fields == {
        "country": "An ISO 3166-1 alpha-2 code such as DE.",
        "rate": "A percentage from 0 to 100, at most 4 decimals.",
    }
    assert not TaxRate.objects.exists()


def test_a_regions_own_rate_wins_over_the_countrys(db):
    add_tax_rate(tax_class="standard", country="ES", rate=D("21"), valid_from=Y2026)
    add_tax_rate(
        tax_class="standard",
        country="ES",
        region="CN",
        rate=D("7"),
        valid_from=Y2026,
    )

    assert rates_at(country="ES", region="CN", classes=["standard"], at=JULY) == {
        "standard": D("7.0000")
    }
    assert rates_at(country="ES", region="MD", classes=["standard"], at=JULY) == {
        "standard": D("21.0000")
    }


def test_an_exclusive_order_with_two_rates_and_shipping_adds_tax_per_line(germany):
    taxed = tax_order(
        lines=[(D("10.50"), "reduced"), (D("20.00"), "standard")],
        shipping=D("4.90"),
        country="DE",
        at=JULY,
        include_tax=False,
    )

    # 10.50 * 7% = 0.735 -> 0.74; 20.00 * 19% = 3.80; shipping at the
    # standard rate: 4.90 * 19% = 0.931 -> 0.93.
    assert [line.tax for line in taxed.lines] == [D("0.74"), D("3.80")]
    assert taxed.shipping is not None
    assert taxed.shipping.tax == D("0.93")
    assert (taxed.net, taxed.tax, taxed.gross) == (D("35.40"), D("5.47"), D("40.87"))


def test_an_inclusive_order_takes_tax_out_of_its_prices(germany):
    taxed = tax_order(
        lines=[(D("10.70"), "reduced")],
        shipping=D("5.95"),
        country="DE",
        at=JULY,
        include_tax=True,
    )

    # 10.70 * 7/107 = 0.70; 5.95 * 19/119 = 0.95
    assert (taxed.net, taxed.tax, taxed.gross) == (D("15.00"), D("1.65"), D("16.65"))


def test_a_class_without_a_rate_in_that_country_is_untaxed(germany):
    taxed = tax_order(
        lines=[(D("10.00"), "standard")],
        shipping=None,
        country="US",
        at=JULY,
        include_tax=False,
    )

    assert (taxed.lines[0].rate, taxed.tax) == (D("0"), D("0.00"))
