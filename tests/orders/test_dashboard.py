"""The staff dashboard on the admin index: figures, chart, lists and links."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from pantry.orders.dashboard import staff_dashboard
from pantry.orders.models import Order, OrderLine
from pantry.orders.rollups import fold
from tests.factories import VariantFactory
from tests.helpers import tags

pytestmark = pytest.mark.django_db


def order(number: str, status: str, at: datetime, total: str, sku: str = "") -> Order:
    placed = Order.objects.create(
        number=number, customer_name="Ada", email="ada@example.com", status=status,
        currency="EUR", total=Decimal(total), subtotal=Decimal(total), placed_at=at,
    )  # fmt: skip
    if sku:
        OrderLine.objects.create(
            order=placed, sku=sku, product_name="Saffron",
            variant_name=f"Saffron, {sku}", unit_price=Decimal(total), quantity=1,
            line_total=Decimal(total), net=Decimal(total), gross=Decimal(total),
            discount=0, tax_class="standard", tax_rate=0, tax=0,
        )  # fmt: skip
    return placed


@pytest.fixture
def shop():
    now = timezone.now()
    order("P-T1", "paid", now, "30.00", sku="5 g")
    order("P-T2", "shipped", now, "12.50", sku="25 g")
    order("P-T3", "placed", now - timedelta(hours=3), "99.00")
    order("P-T4", "cancelled", now, "40.00")
    order("P-M1", "delivered", now - timedelta(days=10), "20.00", sku="5 g")
    order("P-OLD", "paid", now - timedelta(days=45), "500.00", sku="25 g")
    VariantFactory(
        sku="LOW-1", stock=2, options={"weight": "5 g"}, product__name="Cumin"
    )
    VariantFactory(sku="LOW-0", stock=0, product__name="Gone")
    VariantFactory(sku="PLENTY", stock=80)


def test_the_dashboard_sums_today_and_the_last_30_days_of_revenue_orders(shop):
    board = staff_dashboard()

    assert (board.today.orders, board.today.revenue) == (2, Decimal("42.50"))
    assert (board.month_orders, board.month_revenue) == (3, Decimal("62.50"))
    assert len(board.bars) == 30
    assert board.bars[-1].day == timezone.now().date()
    assert board.unpaid_count == 1
    assert [(row.name, units) for row, _ in board.top for units in [row.units]] == [
        ("Saffron, 5 g", 2),
        ("Saffron, 25 g", 1),
    ]
    assert [(row.name, row.stock) for row, _ in board.low_stock] == [("Cumin, 5 g", 2)]
    [(low, link)] = board.low_stock
    assert link == reverse("admin:catalog_product_change", args=[low.product_id])


def test_the_dashboard_costs_four_queries_however_much_there_is(
    shop, django_assert_num_queries
):
    fold()  # as the upkeep does every 30 s
    with django_assert_num_queries(4):
        staff_dashboard()
    now = timezone.now()
    for i in range(40):
        order(f"P-X{i}", "paid", now - timedelta(days=i % 30), "5.00", sku=f"S{i}")
        VariantFactory(stock=1 + i % 5)

    with django_assert_num_queries(4):
        board = staff_dashboard()
    fold()
    assert staff_dashboard() == board  # the same figures, folded or not


def test_before_the_first_fold_of_the_day_top_products_count_the_orders(
    shop, django_assert_num_queries
):
    fold(today=timezone.now().date() - timedelta(days=1))  # yesterday's window
    unfolded = staff_dashboard()
    with django_assert_num_queries(5):
        staff_dashboard()
    fold()
    assert staff_dashboard().top == unfolded.top


def test_the_chart_draws_the_highest_day_full_height_and_empty_days_flat(shop):
    board = staff_dashboard()

    highest = max(board.bars, key=lambda bar: bar.revenue)
    assert highest.day == timezone.now().date()
    assert highest.height == max(bar.height for bar in board.bars) > 100
    assert [bar.height for bar in board.bars[:5]] == [0.0] * 5


def test_the_admin_index_shows_the_dashboard_as_svg_without_script_or_style(
    admin_client, shop
):
    response = admin_client.get("/admin/")
    html = response.text

    assert response.status_code == 200
    assert tags(html, "svg", viewBox="0 0 600 180", role="img")
    assert len(tags(html, "rect", class_="chart-bar")) == 30
    assert "42.50 EUR" in re.sub(r"\s+", " ", html)
    assert "62.50 EUR" in html
    dashboard = html[
        html.index('class="shop-dashboard"') : html.index('id="content-main"')
    ]
    # CSP-safe: nothing inline that the policy would have to allow.
    assert "<script" not in dashboard
    assert " style=" not in dashboard
    assert not re.search(r"<[^>]+\son[a-z]+=", dashboard)
    assert "/static/orders/dashboard.css" in html
    assert "Content-Security-Policy" in response.headers


def test_each_figure_links_to_the_admin_list_it_counts(admin_client, shop):
    html = admin_client.get("/admin/").text
    links = dict(
        re.findall(
            r'<a class="dashboard-figure[^"]*" href="([^"]+)">\s*'
            r'<span class="figure-label">([^<]+)</span>',
            html,
        )
    )
    by_label = {label: href.replace("&amp;", "&") for href, label in links.items()}

    today = admin_client.get(by_label["Today"])
    month = admin_client.get(by_label["Last 30 days"])
    unpaid = admin_client.get(by_label["Waiting for payment"])

    assert sorted(o.number for o in today.context["cl"].result_list) == ["P-T1", "P-T2"]
    listed = month.context["cl"].result_list
    assert sorted(o.number for o in listed) == ["P-M1", "P-T1", "P-T2"]
    assert (
        sum(o.total for o in listed)
        == Order.objects.filter(number__in=["P-M1", "P-T1", "P-T2"]).aggregate(
            total=Sum("total")
        )["total"]
    )
    assert [o.number for o in unpaid.context["cl"].result_list] == ["P-T3"]


def test_a_day_of_the_chart_links_to_that_days_revenue_orders(admin_client, shop):
    board = staff_dashboard()
    ten_days_ago = board.bars[-11]

    listed = admin_client.get(ten_days_ago.link).context["cl"].result_list

    assert [o.number for o in listed] == ["P-M1"]
    assert ten_days_ago.day == (datetime.now(UTC) - timedelta(days=10)).date()


def test_low_stock_and_top_products_link_to_their_products(admin_client, shop):
    board = staff_dashboard()
    ((low, low_link),) = board.low_stock
    top_row, top_link = board.top[0]

    assert low.sku == "LOW-1"
    assert admin_client.get(low_link).status_code == 200
    assert admin_client.get(top_link).status_code == 200
    assert top_link.endswith(f"?q={top_row.sku.replace(' ', '+')}")
