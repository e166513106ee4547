"""Export products as JSON Lines, in the import format, ordered by slug.

Images are exported as absolute URLs of their stored files, which an import
into the same shop reads back from storage and any other shop fetches.

Each line is built by PostgreSQL (``jsonb``), so numbers inside specs keep
their exact text and keys come out in jsonb's canonical order; the same
catalog therefore always exports the same bytes. Rows are read through a
server-side cursor in batches, in constant memory. Behind PgBouncer in
transaction mode, where server-side cursors are off, the same query is read
in keyset-paginated batches inside one repeatable-read transaction instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from django.db import connection, transaction

from pantry.catalog.images.sources import media_prefix

BATCH = 2000

_LINE = """
SELECT p.slug, (jsonb_build_object(
    'slug', p.slug,
    'name', p.name,
    'description', p.description,
    'category', c.slug,
    'tags', to_jsonb(p.tags),
    'specs', p.specs,
    'attributes', hstore_to_jsonb(p.attributes),
    'is_active', p.is_active,
    'variants', coalesce((
        SELECT jsonb_agg(jsonb_build_object(
            'sku', v.sku,
            'price', v.price::text,
            'currency', v.currency,
            'stock', v.stock,
            'options', v.options
        ) ORDER BY v.sku)
        FROM catalog_variant v WHERE v.product_id = p.id
    ), '[]'::jsonb)
) || coalesce((
    -- Only products with images carry the key, so exports of catalogs
    -- without images keep their bytes.
    SELECT jsonb_build_object('images', jsonb_agg(jsonb_build_object(
        'src', %(media)s || i.file, 'alt', i.alt
    ) ORDER BY i.position))
    FROM catalog_productimage i WHERE i.product_id = p.id
    HAVING count(*) > 0
), '{}'::jsonb))::text
FROM catalog_product p
JOIN catalog_category c ON c.id = p.category_id
"""


def product_lines(batch: int = BATCH) -> Iterator[str]:
    """Each product as one JSON line (without newline), ordered by slug.

    Call inside a transaction.
    """
    if connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS"):
        yield from _keyset_lines(batch)
        return
    with connection.chunked_cursor() as cursor:
        # The wrapper does not pass attribute writes on to the psycopg cursor.
        cursor.cursor.itersize = batch
        cursor.execute(_LINE + " ORDER BY p.slug", {"media": media_prefix()})
        for _slug, line in cursor:
            yield line


def _keyset_lines(batch: int) -> Iterator[str]:
    after = None
    with connection.cursor() as cursor:
        while True:
            params: dict[str, str | int | None] = {
                "media": media_prefix(),
                "batch": batch,
                "after": after,
            }
            if after is None:
                cursor.execute(_LINE + " ORDER BY p.slug LIMIT %(batch)s", params)
            else:
                cursor.execute(
                    _LINE + " WHERE p.slug > %(after)s ORDER BY p.slug LIMIT %(batch)s",
                    params,
                )
            rows = cursor.fetchall()
            for _slug, line in rows:
                yield line
            if len(rows) < batch:
                return
            after = rows[-1][0]


def export_products(out: IO[str], *, batch: int = BATCH) -> int:
    """Write every product to ``out`` as JSON Lines; return how many."""
    count = 0
    outer = connection.in_atomic_block
    with transaction.atomic():
        if not outer:
            # One snapshot for the whole export, also when read in batches.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        for line in product_lines(batch):
            out.write(line)
            out.write("\n")
            count += 1
    return count
