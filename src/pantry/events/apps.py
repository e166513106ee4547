from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "pantry.events"
    label = "events"
