"""Every text is a valid query, through every door that takes ``q``."""

from __future__ import annotations

import pytest

from tests.factories import PostFactory, ProductFactory

pytestmark = pytest.mark.django_db

HOSTILE = {
    "a run of hyphens": "-" * 40,
    "hyphens between words": "tea " + "- " * 40 + "kettle",
    "negated negations": "!-" * 60 + "tea",
    "only stop words": "the and of a",
    "ten thousand characters": "tea " * 2_500,
    "NUL": "tea\x00kettle",
    "emoji": "\U0001f375 tea \U0001fad6",
    "right-to-left marks": "\u200ftea\u200f \u202ekettle",
    "quotes and operators": '"""(tea) & | ! <-> :* or or -"',
}

API_DOORS = ["products", "products/facets", "posts", "search", "search/suggest"]
PAGES = ["/products/", "/search/", "/admin/catalog/product/"]


@pytest.fixture
def shelf():
    ProductFactory(slug="kettle", name="Tea kettle")
    PostFactory(slug="brewing", title="Brewing tea")


@pytest.mark.parametrize("door", API_DOORS)
@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_the_api_answers_any_text_with_200(api, shelf, door, text):
    response = api.get(door, {"q": text})

    assert response.status == 200, response.body


@pytest.mark.parametrize("door", ["/api/v1/search", "/search/", "/products/"])
def test_bytes_that_are_not_utf8_are_a_valid_query(client, shelf, door):
    response = client.get(f"{door}?q=tea%ED%A0%80%FF")

    assert response.status_code == 200


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_pages_and_the_admin_answer_any_text_with_200(admin_client, shelf, page, text):
    response = admin_client.get(page, {"q": text})

    assert response.status_code == 200


def test_a_run_of_hyphens_before_a_word_still_finds_the_word(api, shelf):
    response = api.get("search", {"q": "-" * 40 + " kettle"})

    assert [item["slug"] for item in response.body["items"]] == ["kettle"]


def test_only_stop_words_find_nothing_and_suggest_nothing(api, shelf):
    response = api.get("search", {"q": "the and of"})

    assert response.body["items"] == []
    assert response.body["suggestion"] is None
