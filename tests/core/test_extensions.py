from django.db import connection


def test_the_extensions_pantry_needs_are_created_by_migration(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT extname FROM pg_extension")
        installed = {row[0] for row in cursor.fetchall()}

    assert {"hstore", "pg_trgm", "unaccent", "btree_gist", "ltree"} <= installed
