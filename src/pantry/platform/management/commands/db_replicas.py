"""``pantry db replicas``: each read replica's state and lag."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from pantry.platform.replicas import replica_lags


class Command(BaseCommand):
    help = (
        "Show each replica of DATABASE_REPLICA_URLS and its lag; exit 1 if one is down."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.PANTRY_REPLICAS:
            self.stdout.write("no replicas (DATABASE_REPLICA_URLS is empty)")
            return
        lags = replica_lags()
        down = []
        for alias, lag in lags.items():
            config = settings.DATABASES[alias]
            where = f"{config.get('HOST') or 'localhost'}:{config.get('PORT') or 5432}/{config['NAME']}"
            if lag is None:
                down.append(f"{alias} ({where})")
            else:
                self.stdout.write(f"{alias} {where}: replaying, {lag:.3f} s behind")
        if down:
            raise CommandError(
                "cannot use replica "
                + ", ".join(down)
                + ": unreachable or not in recovery"
            )
