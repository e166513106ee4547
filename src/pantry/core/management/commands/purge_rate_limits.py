"""``pantry purge_rate_limits``: delete the rate limiter's ended windows."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from pantry.core.ratelimit import purge_ended_windows


class Command(BaseCommand):
    help = (
        "Delete rate-limit counters whose window has ended (run it hourly or "
        "daily; counters of ended windows are never read again)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = purge_ended_windows()
        self.stdout.write(f"purged {count} rate-limit counters")
