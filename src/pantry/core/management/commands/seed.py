"""``pantry seed <app> ...``: deterministic synthetic data at scale.

An app that can seed names its seed module on its AppConfig
(``seed_module``); the module has ``add_arguments(parser)`` and
``run(stdout=..., **options)``. ``pantry seed catalog --products N`` hands
over to the catalog's.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandParser


def _seeders() -> dict[str, Any]:
    found = {}
    for config in apps.get_app_configs():
        if name := getattr(config, "seed_module", None):
            found[config.label] = import_module(name)
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
