from django.db import migrations

# Generations (pantry.core.pagecache): counters that every committed write
# to a watched table moves, read by pages before anything else, so a cached
# page is keyed by the data it was built from. "content" is the one most
# tables move; an app may add its own (catalog's "catalog_stock") for
# changes only some pages show.
#
# A transaction bumps a row of its own, one no other writer holds: SKIP
# LOCKED picks a free slot (or one this transaction already holds), so a
# bump never waits on another writer and cannot take part in a deadlock.
# A generation is the sum of its slots, which only grows, and only at
# commit. The table is not a Django model: a test flush must not empty it.
SLOTS = 128

# One line: the migration linter reads statements line by line.
TABLE = (
    "CREATE TABLE core_generation (name text NOT NULL, "
    f"slot smallint NOT NULL CHECK (slot >= 0 AND slot < {SLOTS}), "
    "n bigint NOT NULL DEFAULT 0 CHECK (n >= 0), PRIMARY KEY (name, slot))"
)

FUNCTIONS = f"""
CREATE FUNCTION core_generation_add(gen text) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO core_generation (name, slot)
    SELECT gen, generate_series(0, {SLOTS - 1})
    ON CONFLICT DO NOTHING
$$;

CREATE FUNCTION core_generation_remove(gen text) RETURNS void
LANGUAGE sql AS $$
    DELETE FROM core_generation WHERE name = gen
$$;

CREATE FUNCTION core_generation_move(gen text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    -- Once a transaction is enough: its commit is what readers must see.
    -- (Many bumps of one slot in one transaction would also grow a chain
    -- of row versions that every later bump walks.) The flag is
    -- transaction-local and undone with a rolled-back savepoint, as is
    -- the bump.
    IF current_setting('pantry.generation_moved_' || gen, true) = 'on' THEN
        RETURN;
    END IF;
    UPDATE core_generation SET n = n + 1
    WHERE name = gen
      AND slot = (SELECT slot FROM core_generation WHERE name = gen
                  ORDER BY slot LIMIT 1 FOR UPDATE SKIP LOCKED);
    IF NOT FOUND THEN
        -- Every slot held by another writer: more concurrent writers than
        -- slots. Wait for one rather than skip the bump.
        UPDATE core_generation SET n = n + 1
        WHERE name = gen AND slot = pg_backend_pid() % {SLOTS};
    END IF;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no generation named %', gen;
    END IF;
    PERFORM set_config('pantry.generation_moved_' || gen, 'on', true);
END
$$;

-- The trigger function: moves the generation named by its argument.
CREATE FUNCTION core_generation_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM core_generation_move(TG_ARGV[0]);
    RETURN NULL;
END
$$;

-- For other apps' migrations: core never names their tables itself.
CREATE FUNCTION core_watch_table(tbl regclass, gen text DEFAULT 'content')
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format(
        'CREATE TRIGGER core_generation_bump '
        'AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %s '
        'FOR EACH STATEMENT EXECUTE FUNCTION core_generation_bump(%L)',
        tbl, gen);
END
$$;

CREATE FUNCTION core_unwatch_table(tbl regclass) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('DROP TRIGGER IF EXISTS core_generation_bump ON %s', tbl);
END
$$;

SELECT core_generation_add('content');
"""

DROP = """
DROP FUNCTION core_unwatch_table(regclass);
DROP FUNCTION core_watch_table(regclass, text);
DROP FUNCTION core_generation_bump();
DROP FUNCTION core_generation_move(text);
DROP FUNCTION core_generation_remove(text);
DROP FUNCTION core_generation_add(text);
DROP TABLE core_generation;
"""


class Migration(migrations.Migration):
    dependencies = [("core", "0005_tsm_system_rows")]

    operations = [migrations.RunSQL([TABLE, FUNCTIONS], reverse_sql=DROP)]
