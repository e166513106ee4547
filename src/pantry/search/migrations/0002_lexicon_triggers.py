from django.db import migrations

# One statement-level trigger per event (PostgreSQL allows transition tables
# on single-event triggers only), all calling one function per table. The
# function turns the changed rows into a word delta (+1 per new document
# containing a word, -1 per old one), so a bulk COPY of many rows costs one
# aggregate, and an update that leaves the text alone writes nothing.
TABLES = {
    "product": {
        "table": "catalog_product",
        "column": "product_count",
        # Names and tags only: descriptions would triple the cost of a bulk
        # import for words that mostly also occur in names.
        "text": "r.name || ' ' || pantry_join_words(r.tags::text[])",
        "counted": "r.is_active",
    },
    "post": {
        "table": "journal_post",
        "column": "post_count",
        "text": "r.title || ' ' || pantry_join_words(r.tags::text[]) || ' ' || r.body",
        "counted": "r.status = 'published'",
    },
}

WORDS_FUNCTION = """
CREATE FUNCTION search_words(text) RETURNS SETOF text
LANGUAGE sql STABLE PARALLEL SAFE
-- A quoted body (not BEGIN ATOMIC) lets the planner inline it into callers.
AS $$
    SELECT DISTINCT word
    FROM regexp_split_to_table(lower(unaccent($1)), '[^[:alpha:]]+') AS word
    WHERE length(word) BETWEEN 3 AND 40
$$
"""


def _rows(rows: str, sign: int, spec: dict[str, str]) -> str:
    return (
        f"SELECT word, {sign} AS n FROM {rows} AS r, "
        f"LATERAL search_words({spec['text']}) AS word WHERE {spec['counted']}"
    )


def _apply(changes: str, spec: dict[str, str]) -> str:
    column = spec["column"]
    other = "post_count" if column == "product_count" else "product_count"
    return f"""
        WITH changes AS ({changes}),
        delta AS (
            SELECT word, sum(n)::int AS n FROM changes
            GROUP BY word HAVING sum(n) <> 0
        ),
        upserted AS (
            -- Word order keeps concurrent writers locking rows in one order.
            INSERT INTO search_lexicon AS l (word, {column}, {other})
            SELECT word, n, 0 FROM delta ORDER BY word
            ON CONFLICT (word) DO UPDATE SET {column} = l.{column} + EXCLUDED.{column}
            RETURNING l.word, l.product_count, l.post_count
        )
        SELECT array_agg(word) INTO emptied FROM upserted
        WHERE product_count <= 0 AND post_count <= 0;"""


def _function(name: str, spec: dict[str, str]) -> str:
    column = spec["column"]
    inserted = _rows("new_rows", 1, spec)
    deleted = _rows("old_rows", -1, spec)
    return f"""
CREATE FUNCTION search_lexicon_{name}() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    emptied text[];
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        UPDATE search_lexicon SET {column} = 0 WHERE {column} <> 0;
        DELETE FROM search_lexicon WHERE product_count <= 0 AND post_count <= 0;
        RETURN NULL;
    ELSIF TG_OP = 'INSERT' THEN
        {_apply(inserted, spec)}
    ELSIF TG_OP = 'DELETE' THEN
        {_apply(deleted, spec)}
    ELSE
        {_apply(inserted + " UNION ALL " + deleted, spec)}
    END IF;
    IF emptied IS NOT NULL THEN
        DELETE FROM search_lexicon
        WHERE word = ANY (emptied) AND product_count <= 0 AND post_count <= 0;
    END IF;
    RETURN NULL;
END
$$"""


def _triggers(name: str, spec: dict[str, str]) -> list[str]:
    table = spec["table"]
    run = f"FOR EACH STATEMENT EXECUTE FUNCTION search_lexicon_{name}()"
    return [
        f"CREATE TRIGGER search_lexicon_insert AFTER INSERT ON {table} "
        f"REFERENCING NEW TABLE AS new_rows {run}",
        f"CREATE TRIGGER search_lexicon_update AFTER UPDATE ON {table} "
        f"REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows {run}",
        f"CREATE TRIGGER search_lexicon_delete AFTER DELETE ON {table} "
        f"REFERENCING OLD TABLE AS old_rows {run}",
        f"CREATE TRIGGER search_lexicon_truncate AFTER TRUNCATE ON {table} {run}",
    ]


def _drop(name: str, spec: dict[str, str]) -> list[str]:
    table = spec["table"]
    return [
        *(
            f"DROP TRIGGER search_lexicon_{event} ON {table}"
            for event in ("insert", "update", "delete", "truncate")
        ),
        f"DROP FUNCTION search_lexicon_{name}()",
    ]


def _rebuild() -> str:
    selects = [
        f"SELECT word, {'1' if name == 'product' else '0'} AS products, "
        f"{'1' if name == 'post' else '0'} AS posts "
        f"FROM {spec['table']} AS r, LATERAL search_words({spec['text']}) AS word "
        f"WHERE {spec['counted']}"
        for name, spec in TABLES.items()
    ]
    return f"""
CREATE FUNCTION search_rebuild_lexicon() RETURNS bigint
LANGUAGE sql VOLATILE AS $$
    DELETE FROM search_lexicon;
    INSERT INTO search_lexicon (word, product_count, post_count)
    SELECT word, sum(products), sum(posts)
    FROM ({" UNION ALL ".join(selects)}) AS words
    GROUP BY word;
    SELECT count(*) FROM search_lexicon;
$$"""


class Migration(migrations.Migration):
    """Triggers that keep the search lexicon in step with products and posts.

    ``search_words(text)`` is the one definition of a lexicon word: lower-cased
    and unaccented runs of letters, 3 to 40 long, each counted once per
    document; from a product's name and tags, from a post's title, tags and
    body. ``search_rebuild_lexicon()`` recounts everything (used here for
    rows that exist already, and by ``pantry search_lexicon --rebuild``).
    """

    dependencies = [
        ("search", "0001_create_lexicon"),
        ("catalog", "0001_create_catalog"),
        ("journal", "0001_create_journal"),
        ("core", "0003_text_search_config"),
    ]

    operations = [
        migrations.RunSQL(
            sql=[
                WORDS_FUNCTION,
                _rebuild(),
                *(_function(name, spec) for name, spec in TABLES.items()),
                *(sql for name, spec in TABLES.items() for sql in _triggers(name, spec)),
                "SELECT search_rebuild_lexicon()",
            ],
            reverse_sql=[
                *(sql for name, spec in TABLES.items() for sql in _drop(name, spec)),
                "DROP FUNCTION search_rebuild_lexicon()",
                "DROP FUNCTION search_words(text)",
            ],
        ),
    ]
