"""The one rule for text that enters pantry, and cleaning for text that leaves.

PostgreSQL cannot store NUL, UTF-8 cannot carry lone surrogates, and XML
(the feed, sitemaps) cannot hold most control characters or U+FFFE/U+FFFF.
Rather than meet them one field at a time, the edge (``core.edge``) refuses
any string holding one: every JSON key and value, query parameter, form
field, path and header. Control characters other than tab, line feed and
carriage return (C0, DEL and C1) are refused with them: no shop text needs
one, and a title holding one would break every page that carries it.
"""

from __future__ import annotations

import re
from typing import Any

# C0 controls but \t \n \r, DEL, C1 controls, surrogates, the two
# non-characters XML 1.0 excludes.
REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# JSON nested deeper than this is refused: no body pantry reads needs more,
# and the parsers and validators behind the edge recurse.
MAX_JSON_DEPTH = 32


def refused_character(text: str) -> str | None:
    """Why ``text`` cannot be accepted (naming the character), or None."""
    match = REFUSED.search(text)
    if match is None:
        return None
    return f"contains a character that is not accepted (U+{ord(match[0]):04X})"


def printable(text: str) -> str:
    """``text`` with refused characters written as ``\\uXXXX``, safe to echo."""
    return REFUSED.sub(lambda match: f"\\u{ord(match[0]):04x}", text)


def spaced(text: str) -> str:
    """``text`` with each refused character replaced by a space."""
    return REFUSED.sub(" ", text)


def json_problems(data: Any, *, max_depth: int = MAX_JSON_DEPTH) -> dict[str, str]:
    """The first refused string or over-deep value of a parsed JSON document.

    Returns ``{dotted.path: reason}`` (empty when the document is fine),
    with list indexes as path parts like the API's validation errors.
    Walks with a stack of its own: the document may be deep.
    """
    stack: list[tuple[Any, tuple[str, ...]]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        if len(path) > max_depth:
            return {_dotted(path[:max_depth]): f"nested deeper than {max_depth}"}
        if isinstance(value, str):
            if reason := refused_character(value):
                return {_dotted(path): reason}
        elif isinstance(value, dict):
            for key, item in value.items():
                if reason := refused_character(key):
                    return {_dotted((*path, printable(key))): "the name " + reason}
                stack.append((item, (*path, key)))
        elif isinstance(value, list):
            stack.extend(
                (item, (*path, str(index))) for index, item in enumerate(value)
            )
    return {}


def _dotted(path: tuple[str, ...]) -> str:
    return ".".join(path) or "body"


def xml_safe(text: str) -> str:
    """``text`` without the characters XML cannot hold (for feeds, sitemaps).

    Writes refuse such text; this keeps a page rendering from rows stored
    before the rule or by a path that bypasses it.
    """
    return REFUSED.sub("", text)
