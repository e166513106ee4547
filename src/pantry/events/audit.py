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
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

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


def send_actor(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
) -> Any:
    """Execute wrapper: open each transaction by naming its actor."""
    connection = context["connection"]
    if not _sending.get() and _first_in_transaction(connection):
        # Naming the actor may itself query (a session's user): those
        # queries run in this transaction, past this branch.
        token = _sending.set(True)
        try:
            actor = current_actor()
            context["cursor"].cursor.execute(
                "SELECT set_config('pantry.actor', %s, true), "
                "set_config('pantry.request_id', %s, true)",
                [actor.name[:ACTOR_MAX], actor.request_id[:100]],
            )
        finally:
            _sending.reset(token)
    return execute(sql, params, many, context)


def install(sender: Any, connection: Any, **kwargs: Any) -> None:
    """connection_created receiver: wrap every new connection's queries."""
    if send_actor not in connection.execute_wrappers:
        connection.execute_wrappers.append(send_actor)
