from __future__ import annotations

import pytest

from pantry.core.textsearch import clean_query, parse_query


@pytest.mark.parametrize(
    ("text", "positive", "excluded"),
    [
        ("green tea", ("green", "tea"), ()),
        ('"green tea" -black', ("green tea",), ("black",)),
        ('tea or coffee -"earl grey"', ("tea", "coffee"), ("earl grey",)),
        ("wi-fi router", ("wi fi", "router"), ()),
        ('"unclosed phrase', ("unclosed phrase",), ()),
        ('- -- or OR !& ""', (), ()),
    ],
)
def test_parse_query_reads_text_as_websearch_does(text, positive, excluded):
    parsed = parse_query(text)

    assert parsed.positive == positive
    assert parsed.excluded == excluded


def test_parsed_query_builds_fallback_and_phrase_texts():
    parsed = parse_query('green "oolong tea" -black -"earl grey"')

    assert parsed.any_term_text() == 'green or "oolong tea"'
    assert parsed.excluded_text() == '-black -"earl grey"'
    assert parsed.phrase_text() == "green oolong tea"
    assert parse_query("tea").phrase_text() == ""


def test_clean_query_drops_control_characters_and_caps_length():
    assert clean_query(" a\x00b\n c ") == "a b c"
    assert len(clean_query("x" * 10_000)) == 256
