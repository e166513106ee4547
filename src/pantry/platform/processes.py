"""Background commands that apps declare for `pantry run` in development.

An app lists management commands on its AppConfig, for example
``background_commands = [["events", "dispatch"]]``; `pantry run` starts each
beside the server, restarts it when it crashes and stops it with the server.
"""

from __future__ import annotations

from django.apps import apps


def background_commands() -> list[list[str]]:
    """Every app's declared background commands, in INSTALLED_APPS order."""
    commands: list[list[str]] = []
    for config in apps.get_app_configs():
        for args in getattr(config, "background_commands", None) or ():
            if list(args) not in commands:
                commands.append([str(arg) for arg in args])
    return commands
