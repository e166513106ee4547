from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "pantry.search"
    label = "search"

    def ready(self) -> None:
        # The catalog's seed counts the lexicon words of the products it
        # loads through search's bulk door, not the per-statement trigger.
        from pantry.catalog.bulk import register_insert_hook
        from pantry.search.bulk import bulk_load

        register_insert_hook(bulk_load)
