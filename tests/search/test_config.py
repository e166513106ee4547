from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from pantry.search import queries
from pantry.search.services import current_stemmer
from tests.factories import PostFactory, ProductFactory

pytestmark = pytest.mark.django_db


def run(**options: object) -> str:
    out = StringIO()
    call_command("search_config", stdout=out, **options)
    return out.getvalue()


def found(text: str) -> list[str]:
    return [hit.slug for hit in queries.search(text).items]


def test_the_default_english_configuration_needs_no_change():
    assert run() == "search already stems with english_stem (english)\n"
    assert current_stemmer() == "english_stem"


def test_another_language_restems_stored_vectors_and_queries():
    ProductFactory(slug="houses", name="Häuser", description="")
    PostFactory(slug="runs", title="Wir laufen")
    assert found("haus") == []

    with override_settings(PANTRY_SEARCH_CONFIG="german"):
        output = run(batch_size=1)

    assert output.splitlines() == [
        "catalog_product: 1 rows",
        "journal_post: 1 rows",
        "search now stems with german_stem (german)",
    ]
    assert found("Haus") == ["houses"]
    assert found("Hauser") == ["houses"]
    assert found("lauf") == ["runs"]


def test_switching_back_restores_english_stems():
    ProductFactory(slug="shoes", name="Running shoes")
    run(config="simple")
    assert found("run") == []

    run(config="english")

    assert found("run") == ["shoes"]


def test_an_unknown_configuration_is_one_line_and_changes_nothing():
    with pytest.raises(
        CommandError, match=r"^PostgreSQL has no text search configuration 'klingon'"
    ):
        run(config="klingon")

    assert current_stemmer() == "english_stem"


def test_the_lexicon_can_be_rebuilt_from_the_command():
    ProductFactory(name="Kettle")

    assert run(rebuild_lexicon=True).splitlines()[-1] == "lexicon rebuilt: 1 words"
