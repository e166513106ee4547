"""``pantry purge_stale``: expired sessions and stale carts go, others stay."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.utils import timezone

from pantry.customers import carts
from pantry.customers.models import Cart
from tests.helpers import assert_uses_index


def session(expired: bool) -> str:
    store = SessionStore()
    store["cart"] = {"MUG-1": 1}
    store.create()
    if expired:
        Session.objects.filter(session_key=store.session_key).update(
            expire_date=timezone.now() - timedelta(days=1)
        )
    return store.session_key


def test_purge_deletes_expired_sessions_and_stale_carts_only(ada):
    live = session(expired=False)
    for _ in range(3):
        session(expired=True)
    carts.add_to_cart(
        customer_id=ada.pk, sku="MUG-1", quantity=1, max_quantity=10, max_lines=10
    )
    Cart.objects.update(touched_at=timezone.now() - timedelta(days=91))
    out = StringIO()

    call_command("purge_stale", "--batch-size", "2", stdout=out)

    assert out.getvalue() == "purged 3 expired sessions and 1 stale carts\n"
    assert list(Session.objects.values_list("session_key", flat=True)) == [live]
    assert not Cart.objects.exists()


def test_a_recent_cart_survives_the_purge(ada):
    carts.add_to_cart(
        customer_id=ada.pk, sku="MUG-1", quantity=1, max_quantity=10, max_lines=10
    )

    call_command("purge_stale", stdout=StringIO())

    assert Cart.objects.count() == 1


def test_a_bad_batch_size_is_a_clear_error(db):
    with pytest.raises(CommandError, match="must be at least 1"):
        call_command("purge_stale", "--batch-size", "0")


def test_expired_sessions_are_found_through_their_index(db):
    assert_uses_index(
        "SELECT session_key FROM django_session WHERE expire_date < now() "
        "ORDER BY expire_date LIMIT 1000",
        "django_session_expire_date",
    )
