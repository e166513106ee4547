"""``pantry vouchers generate``: a campaign's unique codes, printed one a line."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pantry.core.errors import PantryError
from pantry.vouchers.bulk import generate_vouchers


def _moment(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("needs a UTC offset")
    return moment


class Command(BaseCommand):
    help = "Voucher campaigns: `vouchers generate --count N (--percent-off P | --amount-off A --currency C)`."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        generate = sub.add_parser(
            "generate", help="create N vouchers with unique codes"
        )
        generate.add_argument("--count", type=int, required=True)
        generate.add_argument("--prefix", default="")
        generate.add_argument("--length", type=int, default=10)
        kind = generate.add_mutually_exclusive_group(required=True)
        kind.add_argument("--percent-off")
        kind.add_argument("--amount-off")
        generate.add_argument("--currency", default="")
        generate.add_argument("--min-subtotal")
        generate.add_argument("--usage-limit", type=int, default=1)
        generate.add_argument("--once-per-customer", action="store_true")
        generate.add_argument("--starts-at", type=_moment)
        generate.add_argument("--ends-at", type=_moment)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            codes = generate_vouchers(
                count=options["count"],
                prefix=options["prefix"],
                length=options["length"],
                percent_off=options["percent_off"],
                amount_off=options["amount_off"],
                currency=options["currency"],
                min_subtotal=options["min_subtotal"],
                usage_limit=options["usage_limit"],
                once_per_customer=options["once_per_customer"],
                starts_at=options["starts_at"],
                ends_at=options["ends_at"],
            )
        except PantryError as exc:
            fields = "; ".join(f"{k}: {v}" for k, v in (exc.fields or {}).items())
            raise CommandError(f"{exc.detail} {fields}".strip()) from None
        self.stdout.write("\n".join(codes))
        self.stderr.write(f"created {len(codes)} voucher(s)")
