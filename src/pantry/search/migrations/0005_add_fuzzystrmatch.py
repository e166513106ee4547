from django.contrib.postgres.operations import CreateExtension
from django.db import migrations


class Migration(migrations.Migration):
    """levenshtein() for re-ranking spelling candidates (search.spelling)."""

    dependencies = [("search", "0004_add_synonyms")]

    operations = [CreateExtension("fuzzystrmatch")]
