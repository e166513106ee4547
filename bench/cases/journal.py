"""Journal: the post list (each filter) and the Atom feed at scale.

Seeds 100,000 posts ("full") or 5,000 ("small") unless the bench database
already has them; the seed adds only missing posts, so a rerun is cheap.
"""

from __future__ import annotations

import json
import tempfile
import urllib.request

from bench.harness import Bench

POSTS = {"full": 100_000, "small": 5_000}
COUNT_POSTS = "from pantry.journal.models import Post; print(Post.objects.count())"
TAGS = ["olive-oil", "tea", "spices", "recipes", "behind the counter", "no-such-tag"]
QUERIES = ["saffron", "olive oil", "sourdough starter", "harvest", "Darjeeling tea"]


def _post_count(bench: Bench) -> int:
    with tempfile.TemporaryFile("w+") as out:
        bench.pantry("shell", "-v", "0", "-c", COUNT_POSTS, stdout=out)
        out.seek(0)
        # The shell may print a banner first; the count is the last line.
        return int(out.read().split()[-1])


def _get_json(bench: Bench, path: str) -> dict:
    with urllib.request.urlopen(bench.base_url + path, timeout=60) as response:
        return json.loads(response.read())


def run(bench: Bench) -> None:
    wanted = POSTS[bench.scale]
    present = _post_count(bench)
    if present < wanted:
        cost = bench.pantry("seed", "journal", "--posts", str(wanted))
        bench.record(
            "journal.seed",
            cost["seconds"],
            "s",
            posts=wanted,
            peak_rss_mb=cost["peak_rss_mb"],
        )
        bench.record("journal.seed_peak_rss", cost["peak_rss_mb"], "MB")
    count = 200 if bench.scale == "small" else 500

    authors = _get_json(bench, "/api/v1/authors?limit=100")["items"]
    busiest = sorted(authors, key=lambda a: -a["post_count"])
    usernames = [a["username"] for a in busiest[:3] + busiest[-3:]] + ["nobody"]
    # A cursor into the middle of the list: later pages cost the same.
    deep = _get_json(bench, "/api/v1/posts?limit=100")["next"]

    cases = {
        "journal.posts": ["/api/v1/posts", bench.query("/api/v1/posts", cursor=deep)],
        "journal.posts_author": [
            bench.query("/api/v1/posts", author=name) for name in usernames
        ],
        "journal.posts_tag": [bench.query("/api/v1/posts", tag=tag) for tag in TAGS],
        "journal.posts_q": [bench.query("/api/v1/posts", q=q) for q in QUERIES],
    }
    for name, paths in cases.items():
        bench.record_timings(name, bench.time_get(paths, count=count), median_ms=10)
    bench.record_timings(
        "journal.feed", bench.time_get(["/journal/feed/"], count=count), median_ms=20
    )
    bench.record_timings(
        "journal.page",
        bench.time_get(["/journal/", "/journal/tags/tea/"], count=count),
    )
