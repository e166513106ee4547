"""``pantry demo``: load each app's demo data.

An app with demo data names its module on its AppConfig (``demo_module``);
the module has ``is_empty()`` and ``load()``. Apps load in INSTALLED_APPS
order, so an app's demo may use the data of the apps before it.
"""

from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Load each app's demo data (the AppConfig's `demo_module`)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="only into apps whose tables are empty (what `pantry run` does)",
        )

    def handle(self, *args: object, **options: object) -> None:
        for config in apps.get_app_configs():
            name = getattr(config, "demo_module", None)
            if not name:
                continue
            module = import_module(name)
            if options["if_empty"] and not module.is_empty():
                continue
            summary = module.load()
            self.stdout.write(f"{config.label}: {summary}")
