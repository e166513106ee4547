"""Purging expired sessions in bounded batches."""

from __future__ import annotations

from django.db import connection, transaction


def purge_expired_sessions(*, batch_size: int = 1000) -> int:
    """Delete expired sessions, ``batch_size`` at a time; return how many.

    Django's ``clearsessions`` deletes them in one statement, which on a big
    table holds locks and bloats WAL for long; batches through the
    expire_date index keep each transaction short.
    """
    total = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM django_session WHERE session_key IN ("
                " SELECT session_key FROM django_session WHERE expire_date < now()"
                " ORDER BY expire_date LIMIT %s FOR UPDATE SKIP LOCKED)",
                [batch_size],
            )
            deleted = cursor.rowcount
        total += deleted
        if deleted < batch_size:
            return total
