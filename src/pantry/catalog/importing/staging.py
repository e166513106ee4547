"""SQL of the staging tables: COPY rows, checks, upserts, fresh loads.

Every statement here is fixed text; values come only through COPY and
query parameters.
"""

from __future__ import annotations

from typing import Any

STAGING_SQL = """
CREATE TEMPORARY TABLE import_product (
    line integer NOT NULL,
    slug text NOT NULL,
    name text NOT NULL,
    description text NOT NULL,
    category text NOT NULL,
    tags text[] NOT NULL,
    specs jsonb NOT NULL,
    attributes hstore NOT NULL,
    is_active boolean NOT NULL
) ON COMMIT DROP;
CREATE TEMPORARY TABLE import_variant (
    line integer NOT NULL,
    product_slug text NOT NULL,
    sku text NOT NULL,
    price numeric(12, 2) NOT NULL,
    currency text NOT NULL,
    stock integer NOT NULL,
    options jsonb NOT NULL
) ON COMMIT DROP;
CREATE TEMPORARY TABLE import_invalid (
    line integer NOT NULL,
    reason text NOT NULL
) ON COMMIT DROP;
CREATE TEMPORARY TABLE import_seen_slug (
    slug text PRIMARY KEY,
    line integer NOT NULL
) ON COMMIT DROP;
CREATE TEMPORARY TABLE import_seen_sku (
    sku text PRIMARY KEY,
    line integer NOT NULL
) ON COMMIT DROP;
"""
STAGING_TABLES = (
    "import_product, import_variant, import_invalid, import_seen_slug, import_seen_sku"
)

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: str) -> str:
    # Most values need no escaping; four substring tests beat translate().
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_ESCAPES)
    return value


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _tags_literal(tags: list[str]) -> str:
    # Every element quoted, so commas, braces and spaces inside tags survive.
    return "{" + ",".join(_quoted(tag) for tag in tags) + "}"


def _hstore_literal(attributes: dict[str, str]) -> str:
    return ", ".join(f"{_quoted(k)}=>{_quoted(v)}" for k, v in attributes.items())


def product_rows(line: int, product: dict[str, Any]) -> tuple[str, list[str]]:
    """The COPY text rows for one checked product and its variants."""
    slug = _copy_text(product["slug"])
    product_row = "\t".join(
        (
            str(line),
            slug,
            _copy_text(product["name"]),
            _copy_text(product["description"]),
            _copy_text(product["category"]),
            _copy_text(_tags_literal(product["tags"])),
            _copy_text(product["specs"]),
            _copy_text(_hstore_literal(product["attributes"])),
            "t" if product["is_active"] else "f",
        )
    )
    variant_rows = [
        "\t".join(
            (
                str(line),
                slug,
                _copy_text(variant["sku"]),
                variant["price"],
                variant["currency"],
                str(variant["stock"]),
                _copy_text(variant["options"]),
            )
        )
        for variant in product["variants"]
    ]
    return product_row, variant_rows


# Checks that need the file so far or the database, run on each chunk in
# the staging tables; each adds (line, reason) rows to import_invalid. The
# seen tables keep the first line of every slug and SKU of the file.
def _first_lines(key: str, staging: str, label: str) -> tuple[str, str]:
    """Keep the first line of each ``key`` in ``import_seen_<key>``, and
    report the chunk's lines whose ``key`` came earlier."""
    return (
        f"""
        INSERT INTO import_seen_{key} ({key}, line)
        SELECT DISTINCT ON ({key}) {key}, line FROM {staging} ORDER BY {key}, line
        ON CONFLICT ({key}) DO NOTHING
        """,
        f"""
        INSERT INTO import_invalid (line, reason)
        SELECT s.line, format('{label} %L is also on line %s', s.{key}, seen.line)
        FROM {staging} s JOIN import_seen_{key} seen USING ({key})
        WHERE seen.line <> s.line
        """,
    )


CATEGORY_CHECK = """
INSERT INTO import_invalid (line, reason)
SELECT s.line, format('unknown category %L', s.category)
FROM import_product s
WHERE NOT EXISTS (SELECT FROM catalog_category c WHERE c.slug = s.category)
"""
SQL_CHECKS = (
    CATEGORY_CHECK,
    *_first_lines("slug", "import_product", "slug"),
    *_first_lines("sku", "import_variant", "SKU"),
)
# Only for the first line of a SKU (a repeat is reported as one above), and
# only when the catalog had variants before the import: SKUs that this
# import added to another product are repeats in the file.
OWNER_CHECK = (
    """
    INSERT INTO import_invalid (line, reason)
    SELECT v.line, format('SKU %L belongs to product %L', v.sku, p.slug)
    FROM import_variant v
    JOIN import_seen_sku seen ON seen.sku = v.sku AND seen.line = v.line
    JOIN catalog_variant cv ON cv.sku = v.sku
    JOIN catalog_product p ON p.id = cv.product_id
    WHERE p.slug <> v.product_slug
    """,
)

# Rows whose values all equal the stored ones are left alone (the WHERE of
# DO UPDATE), so a re-import bumps no updated_at and writes no tuples.
UPSERT_PRODUCTS = """
WITH upserted AS (
    INSERT INTO catalog_product AS p (
        slug, name, description, category_id, tags, specs, attributes,
        is_active, created_at, updated_at
    )
    SELECT s.slug, s.name, s.description, c.id, s.tags, s.specs,
           s.attributes,
           s.is_active, statement_timestamp(), statement_timestamp()
    FROM import_product s
    JOIN catalog_category c ON c.slug = s.category
    WHERE NOT EXISTS (SELECT FROM import_invalid i WHERE i.line = s.line)
    ON CONFLICT (slug) DO UPDATE SET
        name = EXCLUDED.name,
        description = EXCLUDED.description,
        category_id = EXCLUDED.category_id,
        tags = EXCLUDED.tags,
        specs = EXCLUDED.specs,
        attributes = EXCLUDED.attributes,
        is_active = EXCLUDED.is_active,
        updated_at = EXCLUDED.updated_at
    WHERE (p.name, p.description, p.category_id, p.tags, p.specs,
           p.attributes, p.is_active)
        IS DISTINCT FROM
          (EXCLUDED.name, EXCLUDED.description, EXCLUDED.category_id,
           EXCLUDED.tags, EXCLUDED.specs, EXCLUDED.attributes,
           EXCLUDED.is_active)
    RETURNING xmax = 0 AS created
)
SELECT count(*) FILTER (WHERE created), count(*) FILTER (WHERE NOT created)
FROM upserted
"""
UPSERT_VARIANTS = """
WITH upserted AS (
    INSERT INTO catalog_variant AS v (
        sku, product_id, options, price, currency, stock
    )
    SELECT s.sku, p.id, s.options, s.price, s.currency, s.stock
    FROM import_variant s
    JOIN catalog_product p ON p.slug = s.product_slug
    WHERE NOT EXISTS (SELECT FROM import_invalid i WHERE i.line = s.line)
    ON CONFLICT (sku) DO UPDATE SET
        options = EXCLUDED.options,
        price = EXCLUDED.price,
        currency = EXCLUDED.currency,
        stock = EXCLUDED.stock
    WHERE (v.options, v.price, v.currency, v.stock)
        IS DISTINCT FROM
          (EXCLUDED.options, EXCLUDED.price, EXCLUDED.currency, EXCLUDED.stock)
    RETURNING xmax = 0 AS created
)
SELECT count(*) FILTER (WHERE created), count(*) FILTER (WHERE NOT created)
FROM upserted
"""


# Loading into an empty catalog: no row can meet a stored one, so rows are
# inserted without ON CONFLICT while every index but the primary keys is
# dropped (the unique ones too), and the slugs and SKUs repeated in the file
# are found by one aggregate at the end instead of per chunk. Product ids
# are drawn up front, so variants find their product by line number.
FRESH_SQL = """
CREATE TEMPORARY TABLE import_slug_line (
    slug text NOT NULL,
    line integer NOT NULL
) ON COMMIT DROP;
CREATE TEMPORARY TABLE import_sku_line (
    sku text NOT NULL,
    line integer NOT NULL
) ON COMMIT DROP;
CREATE TEMPORARY TABLE import_chunk_product (
    line integer NOT NULL,
    id bigint NOT NULL
) ON COMMIT DROP;
CREATE TEMPORARY TABLE import_line_product (
    line integer NOT NULL,
    id bigint NOT NULL
) ON COMMIT DROP;
"""
FRESH_TABLES = (
    "import_slug_line, import_sku_line, import_chunk_product, import_line_product"
)
FRESH_CHECKS = (
    CATEGORY_CHECK,
    "INSERT INTO import_slug_line (slug, line) SELECT slug, line FROM import_product",
    "INSERT INTO import_sku_line (sku, line) SELECT sku, line FROM import_variant",
)
# A product's id is its line number plus the chunk's offset, so ids follow
# from where the identity sequence stood without drawing each one (no other
# writer: the table is locked); the sequence moves past them at the end.
FRESH_IDS = """
TRUNCATE import_chunk_product;
INSERT INTO import_chunk_product (line, id)
SELECT s.line, s.line + {offset}
FROM import_product s
WHERE NOT EXISTS (SELECT FROM import_invalid i WHERE i.line = s.line)
  AND ({skip_invalid} OR NOT EXISTS (SELECT FROM import_invalid));
INSERT INTO import_line_product (line, id) SELECT line, id FROM import_chunk_product;
"""
FRESH_PRODUCTS = """
INSERT INTO catalog_product (
    id, slug, name, description, category_id, tags, specs, attributes,
    is_active, created_at, updated_at
)
SELECT m.id, s.slug, s.name, s.description, c.id, s.tags, s.specs,
       s.attributes, s.is_active, statement_timestamp(), statement_timestamp()
FROM import_product s
JOIN import_chunk_product m USING (line)
JOIN catalog_category c ON c.slug = s.category
"""
FRESH_VARIANTS = """
INSERT INTO catalog_variant (sku, product_id, options, price, currency, stock)
SELECT s.sku, m.id, s.options, s.price, s.currency, s.stock
FROM import_variant s
JOIN import_chunk_product m USING (line)
"""
FRESH_SUMMARIES = """
INSERT INTO catalog_productsummary
    (product_id, category_id, price_min, price_max, has_stock)
SELECT m.id, c.id, min(v.price), max(v.price), bool_or(v.stock > 0)
FROM import_variant v
JOIN import_chunk_product m USING (line)
JOIN import_product s USING (line)
JOIN catalog_category c ON c.slug = s.category
GROUP BY m.id, c.id
ORDER BY m.id
"""
FRESH_COUNTS = """
SELECT (SELECT count(*) FROM catalog_product), (SELECT count(*) FROM catalog_variant)
"""


def _repeats(key: str, label: str) -> str:
    """Report every line but the first of each ``key`` the file repeats."""
    return f"""
    INSERT INTO import_invalid (line, reason)
    SELECT l.line, format('{label} %L is also on line %s', l.{key}, r.first)
    FROM import_{key}_line l
    JOIN (
        SELECT {key}, min(line) AS first FROM import_{key}_line
        GROUP BY {key} HAVING count(*) > 1
    ) r USING ({key})
    WHERE l.line <> r.first
    """


FRESH_REPEATS = (_repeats("slug", "slug"), _repeats("sku", "SKU"))
# With --skip-invalid, the lines found invalid at the end are taken out again
# (summaries and variants before their products).
FRESH_UNDO = tuple(
    f"""
    DELETE FROM {table} t USING import_line_product m
    WHERE t.{column} = m.id AND m.line IN (SELECT line FROM import_invalid)
    """
    for table, column in (
        ("catalog_productsummary", "product_id"),
        ("catalog_variant", "product_id"),
        ("catalog_product", "id"),
    )
)


COPY_PRODUCTS = (
    "COPY import_product (line, slug, name, description, category, tags, "
    "specs, attributes, is_active) FROM STDIN"
)
COPY_VARIANTS = (
    "COPY import_variant (line, product_slug, sku, price, currency, stock, "
    "options) FROM STDIN"
)
