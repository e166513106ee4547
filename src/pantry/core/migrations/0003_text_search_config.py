from django.db import migrations


class Migration(migrations.Migration):
    """The ``pantry`` text search configuration and an immutable word joiner.

    ``pantry`` is English stemming after ``unaccent``, so "cafe" matches
    "Café". Stored search vectors (generated columns) need immutable
    expressions, and ``array_to_string`` is only stable: the wrapper is safe
    because text output does not depend on any setting.
    """

    dependencies = [("core", "0002_add_api_token")]

    operations = [
        migrations.RunSQL(
            sql=[
                "CREATE TEXT SEARCH CONFIGURATION pantry (COPY = english)",
                "ALTER TEXT SEARCH CONFIGURATION pantry "
                "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem",
                "CREATE FUNCTION pantry_join_words(text[]) RETURNS text "
                "LANGUAGE sql IMMUTABLE PARALLEL SAFE "
                "RETURN array_to_string($1, ' ')",
            ],
            reverse_sql=[
                "DROP FUNCTION pantry_join_words(text[])",
                "DROP TEXT SEARCH CONFIGURATION pantry",
            ],
        ),
    ]
