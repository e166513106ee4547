"""Who is changing rows: the actor and request id the audit triggers record.

The triggers read the transaction-local settings ``pantry.actor`` and
``pantry.request_id``. They are set with ``set_config(..., true)`` as the
first statement of each transaction, so they end with it and never leak to
another client of a PgBouncer server connection. The actor of the current
context (a request, a command, an import) lives in a context variable; an
execute wrapper installed on every connection sends it when a transaction
starts.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from psycopg.pq import TransactionStatus

ACTOR_MAX = 200


@dataclass(frozen=True)
class Actor:
    name: str
    request_id: str = ""


_sending = contextvars.ContextVar("pantry_actor_sending", default=False)
_actor: contextvars.ContextVar[Actor | Callable[[], Actor] | None] = (
    contextvars.ContextVar("pantry_actor", default=None)
)


def default_actor() -> Actor:
    """The actor of a process with no request: the command it runs."""
    args = [arg for arg in sys.argv[1:] if not arg.startswith("-")][:2]
    return Actor("command:" + (" ".join(args) or "python"))


def current_actor() -> Actor:
    value = _actor.get()
    if value is None:
        return default_actor()
    return value() if callable(value) else value


@contextlib.contextmanager
def acting_as(actor: str | Actor | Callable[[], Actor]) -> Iterator[None]:
    """Attribute every transaction started inside to ``actor``.

    ``actor`` is a name such as ``"import:products.jsonl"``, an Actor, or a
    function giving one when first needed (a request's user is known only
    after authentication).
    """
    value = Actor(actor) if isinstance(actor, str) else actor
    token = _actor.set(value)
    try:
        yield
    finally:
        _actor.reset(token)


def _first_in_transaction(connection: Any) -> bool:
    raw = connection.connection
    return (
        raw is not None
        and not connection.get_autocommit()
        and raw.info.transaction_status == TransactionStatus.IDLE
    )


_WRITES = ("INSERT", "UPDATE", "DELETE", "MERGE ", "COPY ")


def _autocommit_write(connection: Any, sql: str) -> bool:
    return (
        connection.connection is not None
        and connection.get_autocommit()
        and isinstance(sql, str)  # not a composed statement (psycopg.sql)
        and sql.lstrip()[:6].upper().startswith(_WRITES)
    )


def _name_actor(connection: Any, actor: Actor | None = None) -> None:
    token = _sending.set(True)
    try:
        actor = actor or current_actor()
        connection.pantry_actor = actor
        # A cursor of its own: the caller's may be a named (server-side) one,
        # which a second statement would re-declare.
        connection.connection.execute(
            "SELECT set_config('pantry.actor', %s, true), "
            "set_config('pantry.request_id', %s, true)",
            [actor.name[:ACTOR_MAX], actor.request_id[:100]],
        )
    finally:
        _sending.reset(token)


def _changed_actor(connection: Any) -> Actor | None:
    token = _sending.set(True)
    try:
        actor = current_actor()
    finally:
        _sending.reset(token)
    return actor if actor != getattr(connection, "pantry_actor", None) else None


def send_actor(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
) -> Any:
    """Execute wrapper: open each transaction by naming its actor.

    Naming the actor may itself query (a session's user): those queries run
    in this transaction, unwrapped. ``SET TRANSACTION`` must come first in a
    transaction, so the actor follows it.
    """
    connection = context["connection"]
    if _sending.get():
        return execute(sql, params, many, context)
    if _autocommit_write(connection, sql):
        # A write outside any transaction (a service called from a command,
        # say) is its own transaction: open one so the actor rides with it.
        with transaction.atomic(using=connection.alias):
            _name_actor(connection)
            return execute(sql, params, many, context)
    if not _first_in_transaction(connection):
        # A request's transaction starts before its token is checked (the
        # lookup is its first statement): name the actor again once known.
        if not connection.get_autocommit() and (changed := _changed_actor(connection)):
            _name_actor(connection, changed)
        return execute(sql, params, many, context)
    # A composed statement (psycopg.sql) is never SET TRANSACTION here.
    if isinstance(sql, str) and sql.lstrip()[:15].upper() == "SET TRANSACTION":
        result = execute(sql, params, many, context)
        _name_actor(connection)
        return result
    _name_actor(connection)
    return execute(sql, params, many, context)


def install(sender: Any, connection: Any, **kwargs: Any) -> None:
    """connection_created receiver: wrap every new connection's queries.

    First in the list, not last: a connection is often (re)made inside a
    request whose middleware holds ``execute_wrapper(...)`` open, and that
    context manager pops the *last* wrapper when it ends. Appended there,
    the actor wrapper would be popped instead of the middleware's, which
    would stay behind, one more per request, until the stack overflowed.
    """
    if send_actor not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, send_actor)


# The triggers events migration 0003 puts on every audited table; a bulk
# loader switches them off and writes record_bulk's entry instead.
AUDIT_TRIGGERS = ("events_audit_insert", "events_audit_update", "events_audit_delete")

# One entry standing for a bulk load whose audit triggers were off: table,
# '*' as the key, what was loaded in ``after``; actor and request id as the
# triggers read them.
_BULK_ENTRY = """
INSERT INTO events_audit (table_name, row_pk, op, before, after, actor, request_id)
VALUES (%s, '*', %s, NULL, %s::jsonb,
        coalesce(nullif(current_setting('pantry.actor', true), ''),
                 'db:' || session_user),
        coalesce(current_setting('pantry.request_id', true), ''))
"""


def record_bulk(cursor: Any, table: str, op: str, summary: dict[str, Any]) -> None:
    """Audit a bulk write of synthetic rows as one summary entry per table
    (docs/events.md); the caller switched the table's audit triggers off."""
    cursor.execute(_BULK_ENTRY, [table, op, json.dumps(summary)])
