"""The edge's text rule, depth limit and request limits (core.edge)."""

from __future__ import annotations

import pytest

from pantry.catalog.models import Category
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db

REFUSED = {
    "NUL": "a\x00b",
    "a lone surrogate": "a\ud800b",
    "a C0 control": "a\x07b",
    "DEL": "a\x7fb",
    "a C1 control": "a\x85b",
    "U+FFFE": "a\ufffeb",
}
ACCEPTED = {
    "tab and newlines": "a\tb\r\nc",
    "right-to-left marks": "\u200f\u05e9\u05dc\u05d5\u05dd\u202e",
    "emoji": "\U0001f375 tea",
}


@pytest.mark.parametrize("text", REFUSED.values(), ids=REFUSED.keys())
def test_a_refused_character_in_a_json_value_is_422_naming_the_field(api, text):
    body = {"customer": {"name": text, "email": "ada@example.com"}, "lines": []}

    error = assert_error(api.post("orders", body), 422, "validation_error")

    assert list(error["fields"]) == ["customer.name"]
    assert error["fields"]["customer.name"].startswith(
        "contains a character that is not accepted (U+"
    )


def test_a_refused_character_in_a_json_key_is_422_and_echoed_escaped(api):
    raw = '{"customer": {"na\\u0000me": "Ada"}, "lines": []}'

    error = assert_error(api.post("orders", raw=raw), 422, "validation_error")

    assert error["fields"] == {
        "customer.na\\u0000me": "the name contains a character that is not "
        "accepted (U+0000)"
    }


def test_json_nested_deeper_than_32_is_422(api, staff_token):
    specs: dict = {}
    for _ in range(1000):
        specs = {"k": specs}

    response = api.post("products", {"name": "Deep", "specs": specs}, token=staff_token)

    error = assert_error(response, 422, "validation_error")
    assert list(error["fields"].values()) == ["nested deeper than 32"]


def test_json_nested_beyond_the_parser_is_422(api):
    response = api.post("orders", raw="[" * 100_000 + "]" * 100_000)

    assert_error(response, 422, "validation_error")


@pytest.mark.parametrize("text", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_ordinary_text_passes_the_edge(api, staff_token, text):
    response = api.post(
        "categories", {"slug": "tea", "name": f"Tea {text}"}, token=staff_token
    )

    assert response.status == 201, response.body
    assert Category.objects.get().name == f"Tea {text}"


@pytest.mark.parametrize("path", ["/api/v1/posts", "/journal/"])
def test_a_refused_character_in_a_query_value_is_400_naming_it(client, path):
    response = client.get(path, {"tag": "a\x00b"})

    assert response.status_code == 400
    if path.startswith("/api/"):
        assert response.json()["fields"] == {
            "tag": "contains a character that is not accepted (U+0000)"
        }
    else:
        assert "The query parameter &#x27;tag&#x27; is not accepted." in (
            response.content.decode()
        )


def test_a_refused_character_in_a_query_name_is_400(client):
    response = client.get("/api/v1/products?attr.%00=1")

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "attr.\\u0000": "the name contains a character that is not accepted (U+0000)"
    }


def test_the_storefront_answers_a_refused_query_name_with_the_400_page(client):
    response = client.get("/products/?attr.%00=1")

    assert response.status_code == 400
    assert "Bad request" in response.content.decode()


def test_search_text_is_cleaned_not_refused(api):
    response = api.get("search", {"q": "tea\x00kettle\x07"})

    assert response.status == 200, response.body


@pytest.mark.parametrize(
    "path", ["/api/v1/products/a%00b", "/api/v1/orders/%00", "/journal/%00/"]
)
def test_a_path_holding_a_refused_character_names_nothing(client, path):
    response = client.get(path)

    assert response.status_code == 404
    if path.startswith("/api/"):
        assert response.json()["error"] == "not_found"


def test_a_refused_form_field_is_the_400_page_and_writes_nothing(admin_client):
    response = admin_client.post(
        "/admin/catalog/category/add/", {"slug": "tea", "name": "Te\x0ba"}
    )

    assert response.status_code == 400
    assert not Category.objects.exists()


def test_a_refused_header_is_400(api):
    response = api.post(
        "orders",
        {"customer": {"name": "Ada", "email": "ada@example.com"}, "lines": []},
        headers={"Idempotency-Key": "k\x00"},
    )

    error = assert_error(response, 400, "bad_request")
    assert list(error["fields"]) == ["Idempotency-Key"]


@pytest.mark.parametrize("path", ["/api/v1/products", "/products/", "/admin/"])
def test_too_many_query_parameters_are_400(admin_client, path):
    query = "&".join(f"p{number}=1" for number in range(1200))

    response = admin_client.get(f"{path}?{query}")

    assert response.status_code == 400
    if path.startswith("/api/"):
        assert response.json()["error"] == "too_many_fields"


def test_too_many_form_fields_are_400(client):
    response = client.post(
        "/cart/",
        "&".join(f"p{number}=1" for number in range(1200)),
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 400


def test_too_large_a_json_body_is_400_in_the_error_shape(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = api.post("orders", raw='{"x": "' + "a" * 2000 + '"}')

    assert_error(response, 400, "body_too_large")
