"""The change feed: commit order, and no event skipped by a late commit."""

import time
from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from django.db import connection

from pantry.events.feed import event_feed
from pantry.events.outbox import emit
from tests.events.conftest import database_url
from tests.helpers import assert_error


def _connect() -> psycopg.Connection[Any]:
    return psycopg.connect(database_url())


def _emit_on(conn: psycopg.Connection[Any], number: str) -> None:
    conn.execute(
        "SELECT events_emit('order.paid', jsonb_build_array(jsonb_build_object("
        "'number', %s::text)))",
        [number],
    )


def _numbers(items: list[dict[str, Any]]) -> list[str]:
    return [item["data"]["number"] for item in items]


def _eventually(read: Callable[[], Any], has_items: Callable[[Any], bool]) -> Any:
    """``read()`` again until it has items, for up to 30 s.

    The feed serves only transactions older than every one running in the
    cluster, so another test's open transaction (the suite runs in
    parallel on one server) can hold committed events back a moment.
    """
    deadline = time.monotonic() + 30
    result = read()
    while not has_items(result) and time.monotonic() < deadline:
        time.sleep(0.1)
        result = read()
    return result


@pytest.mark.django_db(transaction=True)
def test_feed_waits_for_an_older_transaction_that_commits_late_and_skips_nothing():
    early, late = _connect(), _connect()
    try:
        _emit_on(early, "first")  # takes the lower transaction id
        _emit_on(late, "second")
        late.commit()

        page = event_feed(after=None, types=None, limit=10)
        assert page.items == []

        early.commit()
        cursor = page.next
        page = _eventually(
            lambda: event_feed(after=cursor, types=None, limit=10),
            lambda page: page.items,
        )
        assert _numbers(page.items) == ["first", "second"]

        again = event_feed(after=page.next, types=None, limit=10)
        assert (again.items, again.next) == ([], page.next)
    finally:
        early.close()
        late.close()


@pytest.mark.django_db(transaction=True)
def test_a_reader_following_next_during_out_of_order_commits_sees_every_event():
    connections = [_connect() for _ in range(4)]
    try:
        for i, conn in enumerate(connections):
            _emit_on(conn, f"e{i}")
        seen: list[str] = []
        cursor = None
        # Commit newest first; read the feed after each commit.
        for conn in reversed(connections):
            conn.commit()
            page = event_feed(after=cursor, types=None, limit=1)
            while page.items:
                seen += _numbers(page.items)
                cursor = page.next
                page = event_feed(after=cursor, types=None, limit=1)
            cursor = page.next
        # Whatever another test's open transaction held back arrives next.
        while len(seen) < 4:
            page = _eventually(
                lambda after=cursor: event_feed(after=after, types=None, limit=1),
                lambda page: page.items,
            )
            if not page.items:
                break
            seen += _numbers(page.items)
            cursor = page.next
        assert sorted(seen) == ["e0", "e1", "e2", "e3"]
        assert len(seen) == 4
    finally:
        for conn in connections:
            conn.close()


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_never_appears_in_the_feed():
    doomed = _connect()
    try:
        _emit_on(doomed, "never")
        emit("order.paid", {"number": "kept"})
        doomed.rollback()
    finally:
        doomed.close()

    page = _eventually(
        lambda: event_feed(after=None, types=None, limit=10), lambda page: page.items
    )
    assert _numbers(page.items) == ["kept"]


@pytest.mark.django_db(transaction=True)
def test_feed_api_filters_by_type_and_gives_the_message_shape(api, staff_token):
    emit("order.paid", {"number": "PA-1"})
    emit("stock.changed", {"sku": "MUG-1", "stock": 1})

    response = _eventually(
        lambda: api.get("events", {"types": "stock.changed"}, token=staff_token),
        lambda response: response.status != 200 or response.body["items"],
    )

    assert response.status == 200
    [item] = response.body["items"]
    assert item["type"] == "stock.changed"
    assert item["data"] == {"sku": "MUG-1", "stock": 1}
    assert item["id"].startswith("evt_")
    assert isinstance(response.body["next"], str)


@pytest.mark.django_db
def test_feed_api_refuses_unknown_types_bad_cursors_and_anonymous_callers(
    api, staff_token
):
    body = assert_error(
        api.get("events", {"types": "order.lost"}, token=staff_token),
        400,
        "bad_request",
    )
    assert body["detail"] == "Unknown event types: order.lost."
    assert_error(
        api.get("events", {"after": "nope"}, token=staff_token), 400, "bad_cursor"
    )
    assert_error(api.get("events"), 401, "unauthorized")


@pytest.mark.django_db
def test_feed_reads_by_the_transaction_index():
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT id FROM events_event WHERE (xid, id) > ('5'::xid8, 1) "
            "ORDER BY xid, id LIMIT 10"
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "events_event_xid_id" in plan
