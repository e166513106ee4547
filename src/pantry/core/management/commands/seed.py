"""``pantry seed <app> ...``: deterministic synthetic data at scale.

Each app that can seed has a ``seed`` module with ``add_arguments(parser)``
and ``run(stdout=..., **options)``; ``pantry seed catalog --products N``
hands over to ``pantry.catalog.seed``.
"""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandParser


def _seeders() -> dict[str, Any]:
    found = {}
    for config in apps.get_app_configs():
        if config.name.startswith("pantry.") and find_spec(f"{config.name}.seed"):
            found[config.label] = import_module(f"{config.name}.seed")
    return found


class Command(BaseCommand):
    help = "Generate deterministic synthetic data: pantry seed <app> --help."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="app", required=True)
        for label, module in _seeders().items():
            app_parser = sub.add_parser(
                label, help=(module.__doc__ or "").strip().splitlines()[0]
            )
            module.add_arguments(app_parser)

    def handle(self, *args: Any, **options: Any) -> None:
        module = _seeders()[options.pop("app")]
        # call_command(..., stdout=...) passes the stream in options too.
        options.pop("stdout", None)
        options.pop("stderr", None)
        module.run(stdout=self.stdout, **options)
