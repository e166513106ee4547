"""Staff's synonyms: the API, the admin, and search applying them at once."""

from __future__ import annotations

import pytest

from pantry.search.models import Synonym
from tests.factories import ProductFactory
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db


def found(api, q: str) -> list[str]:
    response = api.get("search", {"q": q})
    assert response.status == 200, response.body
    return [item["slug"] for item in response.body["items"]]


@pytest.fixture
def furniture():
    ProductFactory(slug="sofa", name="Green sofa")
    ProductFactory(slug="couch", name="Leather couch")
    ProductFactory(slug="tee", name="Cotton tee")
    ProductFactory(slug="t-shirt", name="Linen T-shirt")


def test_a_two_way_synonym_finds_either_word_from_either_word(
    api, staff_token, furniture
):
    response = api.post(
        "search/synonyms",
        {"term": "Sofa", "synonym": "couch", "two_way": True},
        token=staff_token,
    )

    assert response.status == 201
    assert response.body == {
        "id": response.body["id"],
        "term": "sofa",
        "synonym": "couch",
        "two_way": True,
    }
    assert sorted(found(api, "sofa")) == ["couch", "sofa"]
    assert sorted(found(api, "couches")) == ["couch", "sofa"]


def test_a_one_way_synonym_applies_one_way_only(api, staff_token, furniture):
    api.post(
        "search/synonyms", {"term": "tee", "synonym": "t-shirt"}, token=staff_token
    )

    assert sorted(found(api, "tee")) == ["t-shirt", "tee"]
    assert found(api, "t-shirt") == ["t-shirt"]


def test_a_synonym_joins_the_other_words_and_keeps_exclusions(
    api, staff_token, furniture
):
    ProductFactory(slug="red-couch", name="Red couch")
    api.post(
        "search/synonyms",
        {"term": "sofa", "synonym": "couch", "two_way": True},
        token=staff_token,
    )

    body = api.get("search", {"q": "leather sofa"}).body
    assert body["items"][0]["slug"] == "couch"
    assert body["items"][0]["rank"] >= 8 > body["items"][1]["rank"]
    assert found(api, "sofa -leather -red") == ["sofa"]


def test_a_deleted_synonym_stops_applying_at_once(api, staff_token, furniture):
    created = api.post(
        "search/synonyms", {"term": "tee", "synonym": "t-shirt"}, token=staff_token
    )

    response = api.delete(f"search/synonyms/{created.body['id']}", token=staff_token)

    assert response.status == 204
    assert found(api, "tee") == ["tee"]


def test_staff_list_synonyms(api, staff_token):
    Synonym.objects.create(term="sofa", synonym="couch", is_two_way=True)

    response = api.get("search/synonyms", token=staff_token)

    assert response.status == 200
    assert [
        (s["term"], s["synonym"], s["two_way"]) for s in response.body["items"]
    ] == [("sofa", "couch", True)]


def test_synonyms_need_a_staff_token(api):
    response = api.post("search/synonyms", {"term": "tee", "synonym": "t-shirt"})

    assert response.status == 401
    assert not Synonym.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"term": "tee or top", "synonym": "t-shirt"}, "term"),
        ({"term": "tee", "synonym": "-shirt"}, "synonym"),
        ({"term": "!!", "synonym": "shirt"}, "term"),
        ({"term": "tee", "synonym": "TEE"}, "synonym"),
    ],
)
def test_a_synonym_is_one_word_or_phrase_on_each_side(api, staff_token, body, field):
    response = api.post("search/synonyms", body, token=staff_token)

    assert_error(response, 422, "invalid_synonym")
    assert list(response.body["fields"]) == [field]
    assert not Synonym.objects.exists()


def test_the_same_pair_twice_is_a_conflict(api, staff_token):
    Synonym.objects.create(term="sofa", synonym="couch", is_two_way=True)

    response = api.post(
        "search/synonyms", {"term": "couch", "synonym": "sofa"}, token=staff_token
    )

    assert_error(response, 409, "synonym_exists")
    assert Synonym.objects.count() == 1


def test_staff_add_synonyms_in_the_admin(admin_client):
    response = admin_client.post(
        "/admin/search/synonym/add/",
        {"term": "Sofa", "synonym": "couch", "is_two_way": "on"},
    )

    assert response.status_code == 302
    assert Synonym.objects.get().term == "sofa"
