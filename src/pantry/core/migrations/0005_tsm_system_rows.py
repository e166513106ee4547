from django.contrib.postgres.operations import CreateExtension
from django.db import migrations


class Migration(migrations.Migration):
    """Sampling a fixed number of rows (``TABLESAMPLE SYSTEM_ROWS``): the
    catalog's facet estimates for filters matching many products."""

    dependencies = [("core", "0004_add_rate_count")]

    operations = [CreateExtension("tsm_system_rows")]
