"""Background work of the catalog, run by Django's tasks framework (settings.TASKS)."""

from __future__ import annotations

from django.tasks import task

from pantry.catalog.images.renditions import make_renditions


@task()
def make_image_renditions(image_id: int) -> int:
    """Make the renditions of product image ``image_id`` (queued after upload)."""
    return make_renditions(image_id)
