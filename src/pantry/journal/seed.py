"""Journal scale data: several hundred authors and N posts of varied length.

``pantry seed journal --posts 100000`` streams rows through COPY in batches
of bounded size. Text is deterministic (the same ``--seed`` gives the same
posts); dates are counted back from today (UTC midnight), so about 5% of
posts are drafts and 5% scheduled in the coming weeks. Running it again, or
with a larger N, adds only the posts that are missing (slugs are stable).
"""

from __future__ import annotations

import random
import time
import unicodedata
from argparse import ArgumentParser
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from typing import Any

from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils.text import slugify

from pantry.journal.writing import Writer

BATCH = 5_000
MAX_POSTS = 5_000_000
MAX_AUTHORS = 100_000
# Posts of the last five years, the newest last.
SPAN = timedelta(days=5 * 365)


def add_arguments(parser: ArgumentParser) -> None:
    parser.add_argument("--posts", type=int, default=1_000, help="posts (1000)")
    parser.add_argument(
        "--authors", type=int, default=400, help="authors to spread them over (400)"
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (1)")


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _authors(writer: Writer, count: int) -> list[tuple[str, str, str, str]]:
    rows = []
    for number in range(1, count + 1):
        first, last = writer.name()
        username = f"{_ascii(first)}.{_ascii(last)}.{number}".lower()
        rows.append((username, first, last, writer.bio()))
    return rows


def _insert_authors(rows: list[tuple[str, str, str, str]]) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS seed_author (username text, "
            "first_name text, last_name text, bio text) ON COMMIT DELETE ROWS"
        )
        # Inside an outer transaction (tests) commits do not empty it.
        cursor.execute("TRUNCATE seed_author")
        with cursor.copy("COPY seed_author FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            """
            INSERT INTO auth_user (password, is_superuser, username, first_name,
                last_name, email, is_staff, is_active, date_joined)
            SELECT '!', false, username, first_name, last_name, '', true, true,
                now()
            FROM seed_author
            ON CONFLICT (username) DO NOTHING
            """
        )
        cursor.execute(
            """
            INSERT INTO journal_author (user_id, display_name, bio, avatar_url,
                created_at)
            SELECT u.id, s.first_name || ' ' || s.last_name, s.bio, '', now()
            FROM seed_author s JOIN auth_user u USING (username)
            ON CONFLICT (user_id) DO NOTHING
            """
        )


def _insert_posts(rows: list[tuple[Any, ...]]) -> int:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS seed_post (title text, slug text, "
            "body text, body_html text, excerpt text, tags text[], username text, "
            "status text, published_at timestamptz) ON COMMIT DELETE ROWS"
        )
        cursor.execute("TRUNCATE seed_post")
        with cursor.copy("COPY seed_post FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            """
            INSERT INTO journal_post (title, slug, body, body_html, excerpt, tags,
                author_id, status, published_at, created_at, updated_at)
            SELECT s.title, s.slug, s.body, s.body_html, s.excerpt, s.tags, a.id,
                s.status, s.published_at, coalesce(s.published_at, now()),
                coalesce(s.published_at, now())
            FROM seed_post s
            JOIN auth_user u USING (username)
            JOIN journal_author a ON a.user_id = u.id
            ON CONFLICT (slug) DO NOTHING
            """
        )
        return int(cursor.rowcount)


def run(*, stdout: Any, posts: int, authors: int, seed: int, **options: Any) -> None:
    if not 0 <= posts <= MAX_POSTS:
        raise CommandError(f"--posts must be between 0 and {MAX_POSTS}.")
    if not 1 <= authors <= MAX_AUTHORS:
        raise CommandError(f"--authors must be between 1 and {MAX_AUTHORS}.")
    started = time.perf_counter()
    writer = Writer(seed)
    people = _authors(writer, authors)
    _insert_authors(people)
    # A few prolific authors and a long tail, as on a real blog.
    weights = list(accumulate(1 / (rank + 1) ** 0.8 for rank in range(authors)))
    usernames = [person[0] for person in people]
    picker = random.Random(seed)
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    step = SPAN / max(posts, 1)
    added = 0
    batch: list[tuple[Any, ...]] = []
    for number in range(1, posts + 1):
        piece = writer.piece()
        roll = picker.random()
        if roll < 0.05:
            status, published_at = "draft", None
        elif roll < 0.10:
            status = "published"
            published_at = today + timedelta(minutes=picker.randint(60, 60 * 24 * 60))
        else:
            status = "published"
            published_at = (
                today - SPAN + step * number - timedelta(minutes=picker.randint(0, 59))
            )
        slug = f"{slugify(_ascii(piece.title))[:180]}-{number}"
        author = picker.choices(usernames, cum_weights=weights)[0]
        batch.append(
            (
                piece.title,
                slug,
                piece.body,
                piece.html,
                piece.excerpt,
                piece.tags,
                author,
                status,
                published_at,
            )
        )
        if len(batch) == BATCH:
            added += _insert_posts(batch)
            batch = []
    if batch:
        added += _insert_posts(batch)
    with connection.cursor() as cursor:
        if connection.in_atomic_block:
            # VACUUM cannot run in a transaction (tests): flush the GIN
            # pending lists, which every search would otherwise scan.
            for index in ("journal_post_search_gin", "journal_post_tags_gin"):
                cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
            cursor.execute("ANALYZE journal_author, journal_post")
        else:
            cursor.execute("VACUUM (ANALYZE) journal_author, journal_post")
    elapsed = time.perf_counter() - started
    stdout.write(
        f"journal: {added} new posts of {posts}, {authors} authors in {elapsed:.1f} s"
    )
