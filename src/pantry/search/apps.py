from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "pantry.search"
    label = "search"
