"""Hostile strings in every text field of pantry's writes and list filters.

Hypothesis puts generated text (NUL, lone surrogates, C0 and C1 controls,
bidirectional marks, non-characters, very long runs, ordinary letters) into
one text field of an otherwise valid request at a time. The answer is never
a 5xx, and a refused (4xx) write changes no row.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pantry.customers.services import create_customer_token, sign_up
from tests.core.fuzz_data import CATEGORY, POST, SKU, SLUG, seed_shop
from tests.helpers import ApiClient

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

SPECIAL = [
    "\x00",
    "\ud800",
    "\udfff",
    "\x01",
    "\x07",
    "\x0b",
    "\x1f",
    "\x7f",
    "\x85",
    "\x9f",
    "\u200f",
    "\u202e",
    "\u2066",
    "\ufeff",
    "\ufffe",
    "\uffff",
    "\t",
    "\n",
    "\r",
    "'",
    '"',
    "\\",
    "<",
    "%",
    "-",
    "!",
    "&",
]
hostile_text = st.one_of(
    st.text(alphabet=st.sampled_from(SPECIAL) | st.characters(), max_size=40),
    st.builds(
        lambda piece, count: piece * count,
        st.sampled_from(["x", "-", "\u202e", "é", "\U0001f375"]),
        st.integers(min_value=200, max_value=20_000),
    ),
)
EXAMPLES = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
# What a refused write must leave exactly as it was.
TABLES = [
    "catalog_category",
    "catalog_product",
    "catalog_variant",
    "journal_post",
    "customers_customer",
    "customers_address",
    "orders_order",
    "orders_orderline",
    "auth_user",
]


def snapshot() -> dict[str, str]:
    with connection.cursor() as cursor:
        result = {}
        for table in TABLES:
            cursor.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' "  # noqa: S608 (constant table names)
                f"ORDER BY t::text), '')) FROM {table} t"
            )
            result[table] = str(cursor.fetchone())
        return result


def put(body: Any, path: str, value: str) -> Any:
    """A copy of ``body`` with ``value`` at dotted ``path``."""
    body = json.loads(json.dumps(body))
    *parents, last = path.split(".")
    target = body
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    if last.startswith("@"):
        # A key: the value moves under the hostile name.
        target[value] = target.pop(last[1:])
    else:
        target[int(last) if last.isdigit() else last] = value
    return body


def send(api: ApiClient, method: str, path: str, body: Any, token: str | None) -> Any:
    # ensure_ascii writes lone surrogates as \ud800 escapes, as a client can.
    return api._call(method, path, raw=json.dumps(body), token=token)


def check(api, method, path, body, token=None):
    before = snapshot()

    response = send(api, method, path, body, token)

    assert response.status < 500, (response.status, response.body)
    if response.status >= 400:
        assert isinstance(response.body, dict), response.body
        assert {"error", "detail"} <= set(response.body)
        assert snapshot() == before, body
    return response


@pytest.fixture
def shop(db: None) -> dict[str, str]:
    token, number = seed_shop()
    customer = sign_up(
        email="grace@example.com", password="correct horse battery", name="Grace"
    )
    return {
        "staff": token,
        "number": number,
        "customer": create_customer_token(customer=customer),
    }


ORDER = {
    "customer": {"name": "Ada Lovelace", "email": "ada@example.com"},
    "lines": [{"sku": SKU, "quantity": 1}],
}


@EXAMPLES
@given(
    field=st.sampled_from(["customer.name", "customer.email", "lines.0.sku"]),
    text=hostile_text,
)
def test_order_placement(api, shop, field, text):
    check(api, "post", "orders", put(ORDER, field, text))


PRODUCT = {
    "name": "Teapot",
    "description": "Cast iron.",
    "category": CATEGORY,
    "tags": ["tea"],
    "specs": {"size": {"litres": "1"}},
    "attributes": {"brand": "Iron"},
    "variants": [{"sku": "POT-1", "price": "30.00", "options": {"colour": "black"}}],
}
PRODUCT_FIELDS = [
    "name",
    "slug",
    "description",
    "category",
    "tags.0",
    "specs.size.litres",
    "specs.@size",
    "attributes.brand",
    "attributes.@brand",
    "variants.0.sku",
    "variants.0.options.colour",
]


@EXAMPLES
@given(field=st.sampled_from(PRODUCT_FIELDS), text=hostile_text)
def test_product_create(api, shop, field, text):
    check(api, "post", "products", put(PRODUCT, field, text), shop["staff"])


@EXAMPLES
@given(
    field=st.sampled_from(["name", "description", "tags.0", "attributes.brand"]),
    text=hostile_text,
)
def test_product_update(api, shop, field, text):
    body = {"name": "Kettle", "description": "", "tags": ["tea"], "attributes": {}}
    body["attributes"] = {"brand": "Iron"}
    check(api, "patch", f"products/{SLUG}", put(body, field, text), shop["staff"])


POST_BODY = {
    "title": "Green tea",
    "body": "Steep *briefly*.",
    "excerpt": "Steep briefly.",
    "tags": ["tea"],
    "status": "published",
    "products": [SLUG],
}
POST_FIELDS = ["title", "slug", "body", "excerpt", "tags.0", "author", "products.0"]


@EXAMPLES
@given(field=st.sampled_from(POST_FIELDS), text=hostile_text)
def test_post_create(api, shop, field, text):
    body = put({**POST_BODY, "author": "fuzzer"}, field, text)
    check(api, "post", "posts", body, shop["staff"])


@EXAMPLES
@given(field=st.sampled_from(["title", "body", "excerpt", "tags.0"]), text=hostile_text)
def test_post_update(api, shop, field, text):
    body = {key: POST_BODY[key] for key in ("title", "body", "excerpt", "tags")}
    check(api, "patch", f"posts/{POST}", put(body, field, text), shop["staff"])


@EXAMPLES
@given(field=st.sampled_from(["email", "password", "name"]), text=hostile_text)
def test_customer_sign_up(api, shop, field, text):
    body = {"email": "ada@example.com", "password": "tea and scones 42", "name": "Ada"}
    check(api, "post", "customers", put(body, field, text))


ADDRESS = {
    "name": "Ada Lovelace",
    "line1": "12 St James's Square",
    "line2": "",
    "city": "London",
    "postal_code": "SW1Y 4JH",
    "region": "",
    "country": "GB",
    "phone": "",
}


@EXAMPLES
@given(field=st.sampled_from(sorted(ADDRESS)), text=hostile_text)
def test_addresses(api, shop, field, text):
    check(api, "post", "me/addresses", put(ADDRESS, field, text), shop["customer"])


LISTS = {
    "/api/v1/products": ["q", "tag", "any_tag", "category", "sort", "cursor"],
    "/api/v1/products/facets": ["q", "tag", "category"],
    "/api/v1/posts": ["q", "author", "tag", "cursor"],
    "/api/v1/authors": ["cursor"],
    "/api/v1/search": ["q", "type", "cursor"],
    "/api/v1/search/suggest": ["q"],
    "/api/v1/orders": ["status", "email", "placed_after", "cursor"],
    "/products/": ["q", "tag", "category", "sort", "page"],
    "/journal/": ["tag", "page"],
    "/search/": ["q", "type", "page"],
}
LIST_PARAMETERS = [(path, name) for path, names in LISTS.items() for name in names]


@EXAMPLES
@given(
    target=st.sampled_from(LIST_PARAMETERS),
    text=hostile_text,
    as_name=st.booleans(),
)
def test_list_parameters(client, shop, target, text, as_name):
    path, name = target
    # Percent-encode the UTF-8 bytes, lone surrogates included, as a raw
    # client could; Django decodes what is not UTF-8 as U+FFFD.
    encoded = quote(text.encode("utf-8", "surrogatepass"), safe="")
    query = f"attr.{encoded}=1" if as_name else f"{name}={encoded}"
    headers = {"Authorization": f"Bearer {shop['staff']}"}

    response = client.get(f"{path}?{query}", headers=headers)

    assert response.status_code < 500, (path, query, response.status_code)
