"""Outbox, webhooks, change feed and audit log (uses core only)."""

from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "pantry.events"
    label = "events"
    verbose_name = "Events and audit"
    # Started beside the web server by `pantry run` in development; in
    # production run `pantry events dispatch` as processes of their own.
    background_commands = [["events", "dispatch"]]

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from pantry.events.audit import install

        connection_created.connect(install, dispatch_uid="pantry.events.audit")
