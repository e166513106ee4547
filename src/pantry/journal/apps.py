from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "pantry.journal"
    label = "journal"
