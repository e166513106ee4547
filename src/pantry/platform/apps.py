from django.apps import AppConfig


class PlatformConfig(AppConfig):
    name = "pantry.platform"
    label = "platform"
