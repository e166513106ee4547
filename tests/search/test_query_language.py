"""Phrases, exclusions and the any-word fallback (issue 18, query language)."""

from __future__ import annotations

import pytest

from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def search(api, q: str) -> dict:
    response = api.get("search", {"q": q})
    assert response.status == 200, response.body
    return response.body


def slugs(body: dict) -> list[str]:
    return [item["slug"] for item in body["items"]]


def test_a_quoted_phrase_never_falls_back_to_its_words_apart(api):
    ProductFactory(slug="apart", name="Rocky paths guide")

    body = search(api, '"paths rocky"')

    assert slugs(body) == []
    assert body["partial"] is False


def test_a_quoted_phrase_holds_in_the_fallback_of_the_other_words(api):
    ProductFactory(
        slug="phrase-and-boots", name="Mountain boots", description="rocky paths"
    )
    ProductFactory(slug="phrase-only", name="Guide", description="rocky paths")
    ProductFactory(slug="boots-only", name="Boots")

    body = search(api, '"rocky paths" boots socks')

    # "phrase-only" has neither plain word; "boots-only" lacks the phrase.
    assert slugs(body) == ["phrase-and-boots"]
    assert body["partial"] is True


def test_exclusions_hold_in_the_fallback(api):
    ProductFactory(slug="green", name="Green tea")
    ProductFactory(slug="black", name="Black tea")
    ProductFactory(slug="mint", name="Mint leaves")

    body = search(api, "tea mint leaves -black")

    assert slugs(body) == ["mint", "green"]
    assert body["partial"] is True


def test_a_full_match_ranks_above_every_partial_one_and_is_not_partial(api):
    ProductFactory(slug="both", name="Cup", description="green tea")
    ProductFactory(slug="tea-only", name="Tea tin", description="black tea tea tea")

    body = search(api, "green tea")

    assert slugs(body) == ["both", "tea-only"]
    assert body["items"][0]["rank"] >= 8 > body["items"][1]["rank"]
    assert body["partial"] is True


def test_enough_full_matches_need_no_fallback(api):
    for n in range(5):
        ProductFactory(slug=f"both-{n}", name="Green tea")
    ProductFactory(slug="tea-only", name="Black tea")

    body = search(api, "green tea")

    assert sorted(slugs(body)) == [f"both-{n}" for n in range(5)]
    assert body["partial"] is False


def test_or_is_taken_as_written_with_no_fallback(api):
    ProductFactory(slug="coffee", name="Coffee beans")
    ProductFactory(slug="tea", name="Tea leaves")

    body = search(api, "coffee or tea beans")

    assert slugs(body) == ["coffee"]
    assert body["partial"] is False


def test_loose_hyphens_exclude_nothing(api):
    ProductFactory(slug="kettle", name="Tea kettle")

    assert slugs(search(api, "tea -- kettle")) == ["kettle"]
    assert slugs(search(api, "tea - -kettle")) == []
