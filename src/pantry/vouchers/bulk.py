"""Campaigns: N unique random voucher codes in one COPY and one INSERT."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import connection, transaction

from pantry.core.errors import Invalid
from pantry.vouchers.services import clean_voucher

# Crockford's base32: no I, L, O, U, so codes read aloud unambiguously.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
MAX_COUNT = 1_000_000
DRAWS = 5

_INSERT = """
INSERT INTO vouchers_voucher
    (code, percent_off, amount_off, currency, starts_at, ends_at,
     min_subtotal, usage_limit, used, once_per_customer, created_at)
SELECT code, %s, %s, %s, %s, %s, %s, %s, 0, %s, now() FROM vouchers_new_code
ON CONFLICT (lower(code)) DO NOTHING
RETURNING code
"""


def generate_vouchers(
    *, count: int, prefix: str = "", length: int = 10, **template: Any
) -> list[str]:
    """Create ``count`` vouchers like ``template`` with random unique codes.

    Codes are ``prefix`` plus ``length`` random characters; the few that
    collide with existing codes are drawn again. All or nothing: one
    transaction. Raises Invalid for a bad count, prefix or template.
    """
    if not 1 <= count <= MAX_COUNT:
        raise Invalid(f"A count from 1 to {MAX_COUNT}.", fields={"count": "range"})
    if not 6 <= length <= 32:
        raise Invalid("A code length from 6 to 32.", fields={"length": "range"})
    voucher = clean_voucher(code=prefix + "X" * length, **template)
    values = [
        voucher.percent_off,
        voucher.amount_off,
        voucher.currency,
        voucher.starts_at,
        voucher.ends_at,
        voucher.min_subtotal,
        voucher.usage_limit,
        voucher.once_per_customer,
    ]
    created: list[str] = []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE vouchers_new_code (code varchar(64)) ON COMMIT DROP"
        )
        for _ in range(DRAWS):
            wanted = count - len(created)
            codes = {
                prefix + "".join(secrets.choice(ALPHABET) for _ in range(length))
                for _ in range(wanted)
            }
            cursor.execute("TRUNCATE vouchers_new_code")
            with cursor.copy("COPY vouchers_new_code (code) FROM STDIN") as copy:
                copy.write("".join(code + "\n" for code in codes))
            cursor.execute(_INSERT, values)
            created.extend(row[0] for row in cursor.fetchall())
            if len(created) >= count:
                return created
    raise Invalid(
        "Too few free codes of that length; use a longer one.",
        fields={"length": "too short"},
    )
