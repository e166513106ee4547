"""pg_stat_statements, read by `pantry db top`.

The server must also preload it (shared_preload_libraries), as the embedded
one does; without that the extension exists but its view cannot be read.
"""

from django.contrib.postgres.operations import CreateExtension
from django.db import migrations


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [CreateExtension("pg_stat_statements")]
