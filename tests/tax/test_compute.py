"""Per-line tax, checked against cases computed by hand."""

from __future__ import annotations

from decimal import Decimal as D

from pantry.tax.compute import TaxedLine, spread, tax_line, tax_lines


def test_an_inclusive_price_has_its_tax_taken_out_and_rounded_per_line():
    # 19.99 * 19 / 119 = 3.19168... -> 3.19
    assert tax_line(D("19.99"), D("19"), prices_include_tax=True) == TaxedLine(
        net=D("16.80"), rate=D("19"), tax=D("3.19"), gross=D("19.99")
    )


def test_an_exclusive_price_has_its_tax_added_and_rounded_half_up():
    # 10.50 * 7 / 100 = 0.735 -> 0.74 (half up, not half even)
    assert tax_line(D("10.50"), D("7"), prices_include_tax=False) == TaxedLine(
        net=D("10.50"), rate=D("7"), tax=D("0.74"), gross=D("11.24")
    )


def test_several_rates_in_one_order_round_each_line_on_its_own():
    lines = tax_lines(
        [(D("3.33"), D("20")), (D("3.33"), D("20")), (D("12.00"), D("5"))],
        prices_include_tax=True,
    )

    # 3.33 * 20 / 120 = 0.555 -> 0.56 each; 12.00 * 5 / 105 = 0.5714 -> 0.57
    assert [line.tax for line in lines] == [D("0.56"), D("0.56"), D("0.57")]
    assert [line.net for line in lines] == [D("2.77"), D("2.77"), D("11.43")]
    # Per line, not on the sum: 6.66 * 20 / 120 = 1.11 would be one cent less.
    assert sum(line.tax for line in lines[:2]) == D("1.12")
    assert all(line.net + line.tax == line.gross for line in lines)


def test_a_zero_rate_leaves_the_amount_untaxed():
    assert tax_line(D("5.00"), D("0"), prices_include_tax=False) == TaxedLine(
        net=D("5.00"), rate=D("0"), tax=D("0.00"), gross=D("5.00")
    )


def test_a_discount_spreads_over_lines_in_cents_that_add_up():
    # 10.00 over 1:1:1 is 3.333.. each; the odd cent goes to the first line.
    assert spread(D("10.00"), [D("1"), D("1"), D("1")]) == [
        D("3.34"),
        D("3.33"),
        D("3.33"),
    ]
    assert spread(D("1.00"), [D("30.00"), D("10.00")]) == [D("0.75"), D("0.25")]
    assert spread(D("0.05"), [D("0"), D("0")]) == [D("0.00"), D("0.00")]
