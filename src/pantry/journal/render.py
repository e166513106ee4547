"""Markdown to safe HTML, and plain-text excerpts of Markdown.

markdown-it renders CommonMark (with tables and strikethrough); nh3 then
keeps only an allow-list of tags, attributes and URL schemes, so script,
event handlers, ``javascript:`` and ``data:`` URLs never reach a page, even
from raw HTML written inside the Markdown.
"""

from __future__ import annotations

import html
from functools import cache

import nh3
from markdown_it import MarkdownIt

EXCERPT_LENGTH = 280

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "strong",
    "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}
URL_SCHEMES = {"http", "https", "mailto"}


@cache
def _markdown() -> MarkdownIt:
    # Raw HTML is allowed through markdown-it because nh3 cleans the output.
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def render_markdown(text: str) -> str:
    """Return the sanitised HTML of Markdown ``text``."""
    return nh3.clean(
        _markdown().render(text),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


def plain_text(text: str) -> str:
    """Return the words of Markdown ``text`` without markup, on one line."""
    words = nh3.clean(_markdown().render(text), tags=set(), attributes={})
    return " ".join(html.unescape(words).split())


def derive_excerpt(text: str, length: int = EXCERPT_LENGTH) -> str:
    """Return the start of ``text`` as plain text, cut at a word, with "…"."""
    return cut_excerpt(plain_text(text), length)


def cut_excerpt(words: str, length: int = EXCERPT_LENGTH) -> str:
    """Return ``words`` if short enough, else their start cut at a word, with "…"."""
    if len(words) <= length:
        return words
    cut = words[: length - 1].rsplit(" ", 1)[0].rstrip(" ,.;:-")
    return cut + "…"
