from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Load each app's demo data (an app's `demo` module with `load()`)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="only into apps whose tables are empty (what `pantry run` does)",
        )

    def handle(self, *args: object, **options: object) -> None:
        for config in apps.get_app_configs():
            if not config.name.startswith("pantry.") or not find_spec(
                f"{config.name}.demo"
            ):
                continue
            module = import_module(f"{config.name}.demo")
            if options["if_empty"] and not module.is_empty():
                continue
            summary = module.load()
            self.stdout.write(f"{config.label}: {summary}")
