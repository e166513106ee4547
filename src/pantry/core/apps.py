from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "pantry.core"
    label = "core"
    verbose_name = "pantry platform"
