from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from pantry.search import services
from pantry.search.errors import UnknownSearchConfig


class Command(BaseCommand):
    help = (
        "Make search stem like PANTRY_SEARCH_CONFIG (or --config) and recompute "
        "the stored search vectors; --rebuild-lexicon recounts the lexicon."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--config",
            help="a PostgreSQL text search configuration (default: PANTRY_SEARCH_CONFIG)",
        )
        parser.add_argument("--batch-size", type=int, default=services.BATCH_SIZE)
        parser.add_argument(
            "--rebuild-lexicon",
            action="store_true",
            help="recount the typo-suggestion lexicon from all products and posts",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        config = options["config"] or settings.PANTRY_SEARCH_CONFIG
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        try:
            changed = services.apply_search_config(
                config=config,
                batch_size=options["batch_size"],
                progress=lambda line: self.stdout.write(line),
            )
        except UnknownSearchConfig as error:
            raise CommandError(error.detail) from None
        stemmer = services.current_stemmer()
        if changed:
            self.stdout.write(f"search now stems with {stemmer} ({config})")
        else:
            self.stdout.write(f"search already stems with {stemmer} ({config})")
        if options["rebuild_lexicon"]:
            size = services.rebuild_lexicon()
            self.stdout.write(f"lexicon rebuilt: {size} words")
