"""Search: relevance on a real corpus, and speed on the scale data.

Relevance
    bench/search_eval (CPython's help topics and module docstrings, 76 graded
    queries) is loaded into a scratch database, ``pantry_search_eval`` on the
    same server, so the scale data neither pollutes it nor is polluted; a
    second server process answers on the next port, and nDCG@10 and MRR@10
    are computed from real ``GET /api/v1/search`` responses. The database is
    dropped afterwards. Then the same for bench/search_eval/coreutils (GNU
    coreutils' manual pages from Debian's package, 30 keyword queries and
    20 questions), reporting the MRR@10 of each kind against the aims.

Speed
    On whatever the catalog_data and journal cases loaded before this case
    (full scale: 1,000,000 products and 100,000 posts), a query mix built from
    the data's own lexicon (common words, rare words, two-word phrases from
    product names, exclusions) goes through ``GET /api/v1/search``; prefixes
    of common words through ``/search/suggest``. The same searches done with
    ``icontains`` on name/description and title/body are timed as SQL in one
    process, next to ``pantry.search.queries.search`` timed the same way, for
    the speed ratio. When less data is loaded than the scale asks for, the
    figures say so (``search.data``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

from bench.harness import ROOT, Bench, server
from bench.search_eval.evaluate import CUTOFF

EVAL_DATABASE = "pantry_search_eval"
NDCG_FLOOR = 0.88
MRR_FLOOR = 0.91
FULL = {"products": 1_000_000, "posts": 100_000}


def _python(env: dict[str, str], code: str) -> Any:
    """Run ``code`` with Django set up against ``env``; return its printed JSON."""
    prelude = "import json, django\ndjango.setup()\n"
    out = subprocess.run(
        [sys.executable, "-c", prelude + code],
        env={**env, "DJANGO_SETTINGS_MODULE": "pantry.settings"},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def _eval_url(env: dict[str, str]) -> str:
    if "DATABASE_URL" in env:
        parts = urlsplit(env["DATABASE_URL"])
        return urlunsplit(parts._replace(path=f"/{EVAL_DATABASE}"))
    from pantry.platform.embedded import SUPERUSER, EmbeddedPostgres

    embedded = EmbeddedPostgres(Path(env["PANTRY_DATA_DIR"]))
    # dj-database-url reads a unix socket directory as a percent-encoded host.
    host = quote(str(embedded.socket_dir), safe="")
    return f"postgresql://{SUPERUSER}@{host}:{embedded.port}/{EVAL_DATABASE}"


_DATABASE = """
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    if {create}:
        cursor.execute("CREATE DATABASE {name}")
print(json.dumps(True))
"""


def _evaluate_corpus(bench: Bench, corpus: str) -> tuple[dict[str, Any], int]:
    """Load one corpus of bench/search_eval into a scratch database, serve it
    and evaluate every judged query through the HTTP API."""
    _python(bench.env, _DATABASE.format(name=EVAL_DATABASE, create=True))
    env = {**bench.env, "DATABASE_URL": _eval_url(bench.env)}
    try:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pantry.platform.cli",
                "migrate",
                "--no-input",
                "-v0",
            ],
            env=env,
            cwd=ROOT,
            check=True,
        )
        loaded = _python(
            env,
            "from bench.search_eval.evaluate import CORPORA, load_corpus\n"
            f"print(json.dumps(load_corpus(CORPORA[{corpus!r}])))",
        )
        with server(env, bench.port + 1, workers=1):
            eval_bench = Bench(
                scale=bench.scale,
                base_url=f"http://127.0.0.1:{bench.port + 1}",
                env=env,
            )
            from bench.search_eval.evaluate import CORPORA, evaluate

            def fetch(query: str) -> list[str]:
                path = "/api/v1/search?" + urlencode({"q": query, "limit": CUTOFF})
                status, body, *_ = eval_bench.request("GET", path)
                if status != 200:
                    raise RuntimeError(f"{path}: {status} {body[:200]!r}")
                return [item["slug"] for item in json.loads(body)["items"]]

            result = evaluate(fetch, CORPORA[corpus])
    finally:
        _python(bench.env, _DATABASE.format(name=EVAL_DATABASE, create=False))
    return result, loaded


# Aims of issue 18 on the second corpus (GNU coreutils' manual pages).
KEYWORD_MRR_AIM = 0.97
QUESTION_MRR_AIM = 0.75


def relevance(bench: Bench) -> None:
    result, loaded = _evaluate_corpus(bench, "python")
    worst = sorted(result["per_query"], key=lambda row: row["ndcg"])[:5]
    bench.record(
        "search.relevance.ndcg_at_10",
        result["ndcg_at_10"],
        "",
        target=f">= {NDCG_FLOOR}",
        ok=result["ndcg_at_10"] >= NDCG_FLOOR,
        queries=result["queries"],
        documents=loaded,
        worst=worst,
    )
    bench.record(
        "search.relevance.mrr_at_10",
        result["mrr_at_10"],
        "",
        target=f">= {MRR_FLOOR}",
        ok=result["mrr_at_10"] >= MRR_FLOOR,
        queries=result["queries"],
    )
    result, loaded = _evaluate_corpus(bench, "coreutils")
    worst = sorted(result["per_query"], key=lambda row: row["rr"])[:5]
    for kind, aim in (("keyword", KEYWORD_MRR_AIM), ("question", QUESTION_MRR_AIM)):
        bench.record(
            f"search.relevance.coreutils.{kind}_mrr_at_10",
            result["mrr_by_kind"][kind],
            "",
            target=f">= {aim}",
            ok=result["mrr_by_kind"][kind] >= aim,
            queries=sum(1 for row in result["per_query"] if row["kind"] == kind),
            documents=loaded,
            worst=[row for row in worst if row["kind"] == kind],
        )
    bench.record(
        "search.relevance.coreutils.ndcg_at_10",
        result["ndcg_at_10"],
        "",
        queries=result["queries"],
    )


_MIX = """
import random
from django.db import connection
rng = random.Random(5)
with connection.cursor() as cursor:
    cursor.execute("SELECT count(*) FROM catalog_product")
    products = cursor.fetchone()[0]
    cursor.execute("SELECT count(*) FROM journal_post")
    posts = cursor.fetchone()[0]
    # Words of 4+ letters that are not English stop words.
    cursor.execute('''
        SELECT word, product_count + post_count FROM search_lexicon
        WHERE length(word) >= 4 AND to_tsvector('english', word) <> ''
        ORDER BY product_count + post_count DESC LIMIT 40''')
    common = [row[0] for row in cursor.fetchall()]
    cursor.execute('''
        SELECT word FROM search_lexicon
        WHERE product_count + post_count BETWEEN 1 AND 5 AND length(word) >= 5
          AND to_tsvector('english', word) <> ''
        ORDER BY md5(word) LIMIT 40''')
    rare = [row[0] for row in cursor.fetchall()]
    cursor.execute('''
        SELECT name FROM catalog_product TABLESAMPLE SYSTEM (1) REPEATABLE (5)
        WHERE is_active LIMIT 40''')
    names = [row[0].split() for row in cursor.fetchall()]
phrases = [
    '"' + " ".join(words[i:i + 2]) + '"'
    for words in names if len(words) >= 2
    for i in [rng.randrange(len(words) - 1)]
]
mix = []
for i in range(40):
    if common:
        mix.append(common[i % len(common)])
        mix.append(common[i % len(common)] + " -" + common[(i * 7 + 3) % len(common)])
        mix.append(common[i % len(common)] + " " + common[(i * 3 + 1) % len(common)])
    if rare:
        mix.append(rare[i % len(rare)])
    if phrases:
        mix.append(phrases[i % len(phrases)])
prefixes = sorted({w[:n] for w in common + rare for n in (2, 3, 4)})
print(json.dumps({"products": products, "posts": posts, "mix": mix,
                  "prefixes": prefixes}))
"""

_RATIO = """
import statistics, time
from django.db.models import Q
from pantry.catalog.models import Product
from pantry.core.textsearch import parse_query
from pantry.journal.models import Post
from pantry.search.queries import search

mix = MIX

def contains(model, fields, text):
    parsed = parse_query(text)
    rows = model.objects.all()
    for term in parsed.positive:
        match = Q()
        for field in fields:
            match |= Q(**{field + "__icontains": term})
        rows = rows.filter(match)
    for term in parsed.excluded:
        for field in fields:
            rows = rows.exclude(**{field + "__icontains": term})
    return rows

def icontains(text):
    products = contains(Product, ["name", "description"], text).filter(is_active=True)
    posts = contains(Post, ["title", "body"], text).public()
    return list(products.order_by("-created_at").values_list("slug")[:20]) + list(
        posts.order_by("-published_at").values_list("slug")[:20]
    )

def timed(action, text, repeat):
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action(text)
        samples.append((time.perf_counter() - start) * 1000)
    return min(samples)

fts = [timed(search, text, 3) for text in mix]
slow = [timed(icontains, text, 1) for text in mix]
print(json.dumps({"fts_ms": statistics.median(fts), "icontains_ms": statistics.median(slow),
                  "queries": len(mix)}))
"""


def speed(bench: Bench) -> None:
    data = _python(bench.env, _MIX)
    wanted = FULL if bench.scale == "full" else None
    short = bool(
        wanted
        and (data["products"] < wanted["products"] or data["posts"] < wanted["posts"])
    )
    bench.record(
        "search.data",
        data["products"],
        "products",
        posts=data["posts"],
        target=f">= {FULL['products']} products, {FULL['posts']} posts"
        if wanted
        else None,
        ok=(not short) if wanted else None,
    )
    if not data["mix"]:
        bench.record("search.api", None, "ms", ok=None, note="no data to search")
        return
    count = 1000 if bench.scale == "full" else 300
    mix = data["mix"]
    paths = [bench.query("/api/v1/search", q=text) for text in mix]
    bench.record_timings(
        "search.api", bench.time_get(paths, count=count), median_ms=30, p99_ms=100
    )
    prefixes = [bench.query("/api/v1/search/suggest", q=p) for p in data["prefixes"]]
    bench.record_timings(
        "search.suggest", bench.time_get(prefixes, count=count), median_ms=10
    )
    sample = mix[:: max(1, len(mix) // 12)][:12]
    ratio = _python(bench.env, _RATIO.replace("MIX", repr(sample)))
    value = ratio["icontains_ms"] / max(ratio["fts_ms"], 1e-6)
    bench.record(
        "search.speedup_vs_icontains",
        round(value, 1),
        "x (median icontains / median full-text, in process)",
        target=">= 50x",
        ok=value >= 50,
        fts_median_ms=round(ratio["fts_ms"], 2),
        icontains_median_ms=round(ratio["icontains_ms"], 2),
        queries=ratio["queries"],
    )


def run(bench: Bench) -> None:
    relevance(bench)
    speed(bench)
