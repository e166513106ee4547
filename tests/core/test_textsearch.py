from __future__ import annotations

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from pantry.core.textsearch import clean_query, parse_query, prefix_query


@pytest.mark.parametrize(
    ("text", "positive", "excluded"),
    [
        ("green tea", ("green", "tea"), ()),
        ('"green tea" -black', ("green tea",), ("black",)),
        ('tea or coffee -"earl grey"', ("tea", "coffee"), ("earl grey",)),
        ("wi-fi router", ("wi fi", "router"), ()),
        ('"unclosed phrase', ("unclosed phrase",), ()),
        ('- -- or OR !& ""', (), ()),
        ("x -- y", ("x", "y"), ()),
    ],
)
def test_parse_query_reads_text_as_websearch_does(text, positive, excluded):
    parsed = parse_query(text)

    assert parsed.positive == positive
    assert parsed.excluded == excluded


def test_parsed_query_builds_fallback_and_phrase_texts():
    parsed = parse_query('green "oolong tea" -black -"earl grey" leaf')

    assert parsed.any_word_text() == "green or leaf"
    assert parsed.required_text() == '"oolong tea" -black -"earl grey"'
    assert parsed.phrase_text() == "green oolong tea leaf"
    assert parse_query("tea").phrase_text() == ""


@pytest.mark.parametrize(
    ("text", "websearch"),
    [
        ("-" * 40, ""),
        ("a " + "- " * 40 + "b", "a b"),
        ("x -- y", "x y"),
        ("!-" * 50 + "tea", "tea"),
        ('--tea ---"earl grey"', '-tea -"earl grey"'),
        ("or tea or or coffee or", "tea or coffee"),
        ('ab"cd ef"', '"ab cd" ef'),
        ("wi-fi foo--bar", 'wi-fi "foo bar"'),
        ("\u200ftea\u200e \U0001f375", "tea"),
    ],
)
def test_the_websearch_text_has_one_operator_per_term_at_most(text, websearch):
    assert parse_query(text).text == websearch


@pytest.mark.parametrize(
    ("text", "can"),
    [
        ("green tea", True),
        ("green tea -black", True),
        ('"green tea"', False),
        ('"green tea" leaf', False),
        ("green or tea", False),
        ("tea -black", False),
    ],
)
def test_only_two_plain_words_or_more_can_fall_back_to_any_word(text, can):
    assert parse_query(text).can_fall_back() is can


def test_clean_query_drops_control_characters_and_caps_length():
    assert clean_query(" a\x00b\n c ") == "a b c"
    assert len(clean_query("x" * 10_000)) == 256


@pytest.mark.parametrize(
    ("text", "weights", "expected"),
    [
        ("lapt", "A", "lapt:*A"),
        ("Aurora  lap", "", "aurora & lap:*".replace("aurora", "Aurora")),
        ("it's a:*|!", "", "it & s & a:*"),
        ("!!", "", ""),
    ],
)
def test_prefix_query_is_always_valid_tsquery_text(text, weights, expected):
    assert prefix_query(text, weights=weights) == expected


# Operators, quotes, punctuation and words PostgreSQL treats specially.
_HOSTILE = st.lists(
    st.sampled_from([*"-\"!&|():*<>\\' \t\x00", "or", "OR", "a", "tea"]), max_size=150
).map("".join)


@pytest.mark.django_db
@settings(max_examples=300, deadline=None)
@given(texts=st.lists(_HOSTILE | st.text(max_size=300), min_size=1, max_size=20))
def test_any_text_gives_a_tsquery_postgresql_accepts(texts):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(websearch_to_tsquery('pantry', t)) FROM unnest(%s::text[]) t",
            [[parse_query(text).text for text in texts]],
        )

        assert cursor.fetchone() == (len(texts),)
