from django.contrib.postgres.operations import (
    BtreeGistExtension,
    CreateExtension,
    HStoreExtension,
    TrigramExtension,
    UnaccentExtension,
)
from django.db import migrations


class Migration(migrations.Migration):
    """The PostgreSQL extensions the apps rely on, so any server works alike."""

    initial = True
    dependencies = []

    operations = [
        HStoreExtension(),
        TrigramExtension(),
        UnaccentExtension(),
        BtreeGistExtension(),
        CreateExtension("ltree"),
    ]
