"""The customers admin: list, search by email and name, addresses, orders link."""

from __future__ import annotations

from pantry.customers.models import Address, Customer
from tests.factories import make_customer
from tests.helpers import count_queries

CHANGELIST = "/admin/customers/customer/"


def test_the_changelist_costs_the_same_queries_for_1_and_30_customers(admin_client):
    make_customer("first@example.com")
    one = count_queries(lambda: admin_client.get(CHANGELIST))
    for n in range(29):
        make_customer(f"c{n}@example.com", name=f"Customer {n}")

    many = count_queries(lambda: admin_client.get(CHANGELIST))

    assert one == many


def test_the_changelist_searches_email_and_name(admin_client, db):
    make_customer("ada@example.com", name="Ada Lovelace")
    make_customer("grace@example.com", name="Grace Hopper")

    by_email = admin_client.get(CHANGELIST, {"q": "GRACE@exa"}).text
    by_name = admin_client.get(CHANGELIST, {"q": "lovelace"}).text

    assert "grace@example.com" in by_email
    assert "ada@example.com" not in by_email
    assert "ada@example.com" in by_name
    assert "grace@example.com" not in by_name


def test_the_change_page_shows_addresses_and_links_to_the_orders(admin_client, db):
    ada = make_customer()
    Address.objects.create(
        customer=ada, name="Ada", line1="1 Main St", city="Berlin", country="DE"
    )

    page = admin_client.get(f"{CHANGELIST}{ada.pk}/change/").text
    orders = admin_client.get(f"/admin/orders/order/?customer__id__exact={ada.pk}")

    assert "1 Main St" in page
    assert f'href="/admin/orders/order/?customer__id__exact={ada.pk}"' in page
    assert orders.status_code == 200


def test_customers_are_not_added_by_hand_in_the_admin(admin_client, db):
    assert admin_client.get(f"{CHANGELIST}add/").status_code == 403
    assert not Customer.objects.exists()
