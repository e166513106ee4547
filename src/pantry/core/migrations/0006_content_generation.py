from django.db import migrations

# The content generation (pantry.core.pagecache): a counter that every
# committed write to a watched table moves, read by pages before they read
# anything else, so a cached page is keyed by the data it was built from.
#
# A transaction bumps a row of its own, one no other writer holds: SKIP
# LOCKED picks a free slot (or one this transaction already holds), so a
# bump never waits on another writer and cannot take part in a deadlock.
# The generation is the sum of the slots, which only grows, and only at
# commit. The table is not a Django model: a test flush must not empty it.
SLOTS = 128

# One line: the migration linter reads statements line by line.
TABLE = (
    "CREATE TABLE core_generation ("
    f"slot smallint PRIMARY KEY CHECK (slot >= 0 AND slot < {SLOTS}), "
    "n bigint NOT NULL DEFAULT 0 CHECK (n >= 0))"
)
SLOT_ROWS = f"INSERT INTO core_generation (slot) SELECT generate_series(0, {SLOTS - 1})"

FUNCTIONS = f"""
CREATE FUNCTION core_generation_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE core_generation SET n = n + 1
    WHERE slot = (SELECT slot FROM core_generation
                  ORDER BY slot LIMIT 1 FOR UPDATE SKIP LOCKED);
    IF NOT FOUND THEN
        -- Every slot held by another writer: more concurrent writers than
        -- slots. Wait for one rather than skip the bump.
        UPDATE core_generation SET n = n + 1
        WHERE slot = pg_backend_pid() % {SLOTS};
    END IF;
    RETURN NULL;
END
$$;

-- For other apps' migrations: core never names their tables itself.
CREATE FUNCTION core_watch_table(tbl regclass) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format(
        'CREATE TRIGGER core_generation_bump '
        'AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %s '
        'FOR EACH STATEMENT EXECUTE FUNCTION core_generation_bump()', tbl);
END
$$;

CREATE FUNCTION core_unwatch_table(tbl regclass) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('DROP TRIGGER IF EXISTS core_generation_bump ON %s', tbl);
END
$$;
"""

DROP = """
DROP FUNCTION core_unwatch_table(regclass);
DROP FUNCTION core_watch_table(regclass);
DROP FUNCTION core_generation_bump();
DROP TABLE core_generation;
"""


class Migration(migrations.Migration):
    dependencies = [("core", "0005_tsm_system_rows")]

    operations = [migrations.RunSQL([TABLE, SLOT_ROWS, FUNCTIONS], reverse_sql=DROP)]
