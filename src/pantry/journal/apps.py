from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "pantry.journal"
    label = "journal"
    # Modules the `seed` and `demo` commands hand over to (see their docstrings).
    seed_module = "pantry.journal.seed"
    demo_module = "pantry.journal.demo"
