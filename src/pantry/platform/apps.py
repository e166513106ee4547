from django.apps import AppConfig
from django.conf import settings


class PlatformConfig(AppConfig):
    name = "pantry.platform"
    label = "platform"

    @property
    def background_commands(self) -> list[list[str]]:
        # Queued tasks need a worker; the immediate backend runs them inline.
        backend = settings.TASKS["default"]["BACKEND"]
        return [["db_worker"]] if backend.startswith("django_tasks_db.") else []
