"""Typo corrections: edit distance up to 2 with swaps, never a known word."""

from __future__ import annotations

import pytest
from bench.search_eval import evaluate

from pantry.core.textsearch import parse_query
from pantry.search.spelling import edit_distance, suggest_spelling
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

# Realistic typos of words in bench/search_eval's corpus, kept out of any
# tuning: dropped, doubled, swapped and wrong letters, one or two per word.
HELD_OUT = {
    "dictionery": "dictionary",
    "excpetion": "exception",
    "genrator": "generator",
    "itertaor": "iterator",
    "decoratr": "decorator",
    "comprehesion": "comprehension",
    "lamda": "lambda",
    "corutine": "coroutine",
    "keywrod": "keyword",
    "modlue": "module",
    "sytnax": "syntax",
    "arguement": "argument",
    "fucntion": "function",
    "inheritence": "inheritance",
    "variabel": "variable",
    "asignment": "assignment",
    "operater": "operator",
    "staement": "statement",
    "isntance": "instance",
    "attribtue": "attribute",
}
FLOOR = 0.9


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("kettle", "kettle", 0),
        ("ketle", "kettle", 1),
        ("kettel", "kettle", 1),
        ("ktetel", "kettle", 2),
        ("abc", "xyz", 3),
    ],
)
def test_a_swap_of_neighbouring_letters_is_one_edit(a, b, distance):
    assert edit_distance(a, b) == distance


def test_nine_in_ten_held_out_typos_are_corrected():
    evaluate.load_corpus()

    corrected = {typo: suggest_spelling(parse_query(typo)) for typo in HELD_OUT}

    right = [typo for typo, word in HELD_OUT.items() if corrected[typo] == word]
    print("corrected", len(right), "of", len(HELD_OUT))
    assert len(right) / len(HELD_OUT) >= FLOOR


def test_every_misspelt_word_of_a_query_is_corrected():
    ProductFactory(name="Stainless steel kettle")

    assert suggest_spelling(parse_query("stainles steel kettel")) == (
        "stainless steel kettle"
    )


def test_a_known_word_is_never_corrected():
    ProductFactory(name="Kettle")
    ProductFactory(name="Kettles and cattle")

    assert suggest_spelling(parse_query("cattle")) is None
    assert suggest_spelling(parse_query("cattle ketle")) == "cattle kettle"


def test_more_than_two_edits_is_no_correction():
    ProductFactory(name="Kettle")

    assert suggest_spelling(parse_query("kotelt")) is None


def test_the_commoner_of_two_equally_close_words_wins():
    ProductFactory(name="Lamp")
    ProductFactory(name="Lamp shade")
    ProductFactory(name="Lump")

    assert suggest_spelling(parse_query("lammp")) == "lamp"
