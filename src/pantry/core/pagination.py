"""Keyset pagination with opaque, signed cursors.

A cursor holds the sort values of the last row of a page, signed so that a
tampered cursor is refused (400) rather than trusted. Keyset pages stay
stable when rows are inserted, and cost the same on page 1 and page 10,000.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from django.core import signing
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F, Func, Q, Value
from django.db.models.lookups import GreaterThan, LessThan
from pydantic import WithJsonSchema

from pantry.core.errors import BadCursor, BadRequest

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
# A ``limit`` parameter: the document states its bounds, ``check_limit``
# refuses others with its own message.
Limit = Annotated[
    int | None,
    WithJsonSchema({"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}),
]
_SALT = "pantry.cursor"


def check_limit(limit: int | None) -> int:
    if limit is None:
        return DEFAULT_LIMIT
    if not 1 <= limit <= MAX_LIMIT:
        raise BadRequest(
            f"limit must be between 1 and {MAX_LIMIT}.",
            fields={"limit": "out of range"},
        )
    return limit


@dataclass(frozen=True)
class Page:
    rows: list[Any]
    next: str | None


class _Row(Func):
    function = "ROW"
    output_field = models.Field()


def _output_field(queryset: models.QuerySet[Any], name: str) -> models.Field[Any, Any]:
    if name in queryset.query.annotations:
        return queryset.query.annotations[name].output_field
    return queryset.model._meta.get_field(name)


def keyset_page(
    queryset: models.QuerySet[Any],
    *,
    order: Sequence[str],
    limit: int,
    cursor: str | None,
    scope: str = "",
) -> Page:
    """Return one page of ``queryset`` ordered by ``order`` after ``cursor``.

    ``order`` must end in a unique column (``id``). ``scope`` names the list
    and sort, so that a cursor of one list is refused by another.
    """
    names = [key.lstrip("-") for key in order]
    descending = [key.startswith("-") for key in order]
    queryset = queryset.order_by(
        *[
            F(n).desc() if d else F(n).asc()
            for n, d in zip(names, descending, strict=True)
        ]
    )
    if cursor:
        values = decode_cursor(cursor, scope=scope, count=len(names))
        try:
            values = [
                _output_field(queryset, name).to_python(value)
                if value is not None
                else None
                for name, value in zip(names, values, strict=True)
            ]
        except Exception:
            raise BadCursor() from None
        queryset = queryset.filter(_after(names, descending, values))
    rows = list(queryset[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if more and rows:
        last = rows[-1]
        next_cursor = encode_cursor(
            [getattr(last, name) for name in names], scope=scope
        )
    return Page(rows=rows, next=next_cursor)


def _after(names: list[str], descending: list[bool], values: list[Any]) -> Q:
    if len(set(descending)) == 1:
        # One direction: a row comparison, which a composite index serves.
        compare = LessThan if descending[0] else GreaterThan
        return Q(
            compare(
                _Row(*[F(n) for n in names]),
                _Row(*[Value(v) for v in values]),
            )
        )
    condition = Q(pk__in=[])
    for i, name in enumerate(names):
        step = Q(**{f"{name}__{'lt' if descending[i] else 'gt'}": values[i]})
        for prior in range(i):
            step &= Q(**{names[prior]: values[prior]})
        condition |= step
    return condition


class _CursorEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder, but times keep their microseconds: cut to
    milliseconds, a cursor would skip rows created in the same millisecond."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime):
            return o.isoformat()
        return super().default(o)


def encode_cursor(values: Sequence[Any], *, scope: str) -> str:
    payload = _CursorEncoder().encode([scope, list(values)])
    return signing.dumps(payload, salt=_SALT, compress=True)


def decode_cursor(cursor: str, *, scope: str, count: int) -> list[Any]:
    import json

    if len(cursor) > 2000:
        raise BadCursor()
    try:
        payload = json.loads(signing.loads(cursor, salt=_SALT))
    except (signing.BadSignature, ValueError, TypeError):
        raise BadCursor() from None
    if (
        not isinstance(payload, list)
        or len(payload) != 2
        or payload[0] != scope
        or not isinstance(payload[1], list)
        or len(payload[1]) != count
    ):
        raise BadCursor()
    return payload[1]
