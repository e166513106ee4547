"""Relevance of pantry search on a corpus nobody on the team wrote.

``corpus.jsonl`` (CPython's help topics as posts, standard-library module
docstrings as products; see build_corpus.py) and ``queries.json`` (76
queries, each with graded relevant slugs: 3 = the answer, 2 = closely
related, 1 = related) live beside this file. :func:`load_corpus` writes the
corpus into the current database through the ORM (so the stored vectors and
the lexicon are built as for any product or post); :func:`evaluate` runs
every query through a ``fetch(query) -> [slug, ...]`` callable (the HTTP API
in the benchmark, the test client in tests) and returns nDCG@10 and MRR@10.

- nDCG@10: DCG = sum over the first 10 results of (2^grade - 1) / log2(i + 1)
  (i = 1, 2, ...), divided by the DCG of the ideal order of the judged slugs.
- MRR@10: mean over queries of 1 / position of the first relevant result in
  the first 10 (0 when none).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus.jsonl"
QUERIES = HERE / "queries.json"
CUTOFF = 10
# Fixed times keep runs identical; posts are a minute apart.
PUBLISHED = datetime(2024, 1, 1, tzinfo=UTC)


# A second corpus: GNU coreutils' manual pages from Debian's coreutils
# package, one product per program (see coreutils/build_corpus.py), with 30
# keyword queries and 20 questions.
COREUTILS = HERE / "coreutils"
CORPORA = {"python": HERE, "coreutils": COREUTILS}


def documents(folder: Path = HERE) -> list[dict[str, Any]]:
    with (folder / "corpus.jsonl").open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def queries(folder: Path = HERE) -> list[dict[str, Any]]:
    return list(json.loads((folder / "queries.json").read_text(encoding="utf-8")))


def load_corpus(folder: Path = HERE) -> int:
    """Insert the corpus as active products and public posts; return the count."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from pantry.catalog.models import Category, Product
    from pantry.journal.models import Author, Post

    docs = documents(folder)
    with transaction.atomic():
        category, _ = Category.objects.get_or_create(
            slug="python-library",
            defaults={"name": "Python library", "path": "python_library"},
        )
        user, _ = get_user_model().objects.get_or_create(username="python-docs")
        author, _ = Author.objects.get_or_create(
            user=user, defaults={"display_name": "The Python documentation"}
        )
        Product.objects.bulk_create(
            Product(
                slug=doc["slug"],
                name=doc["title"],
                description=doc["body"],
                tags=doc["tags"],
                category=category,
            )
            for doc in docs
            if doc["type"] == "product"
        )
        Post.objects.bulk_create(
            Post(
                slug=doc["slug"],
                title=doc["title"],
                body=doc["body"],
                tags=doc["tags"],
                author=author,
                status=Post.Status.PUBLISHED,
                published_at=PUBLISHED + timedelta(minutes=n),
            )
            for n, doc in enumerate(docs)
            if doc["type"] == "post"
        )
    return len(docs)


def ndcg(found: list[str], relevant: dict[str, int], cutoff: int = CUTOFF) -> float:
    def dcg(grades: list[int]) -> float:
        return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(grades))

    ideal = dcg(sorted(relevant.values(), reverse=True)[:cutoff])
    actual = dcg([relevant.get(slug, 0) for slug in found[:cutoff]])
    return actual / ideal if ideal else 0.0


def reciprocal_rank(
    found: list[str], relevant: dict[str, int], cutoff: int = CUTOFF
) -> float:
    for position, slug in enumerate(found[:cutoff], start=1):
        if relevant.get(slug, 0) > 0:
            return 1 / position
    return 0.0


def evaluate(fetch: Callable[[str], list[str]], folder: Path = HERE) -> dict[str, Any]:
    """nDCG@10 and MRR@10 over every query (and per kind of query when the
    queries say: ``keyword``, ``question``), and the per-query figures."""
    rows = []
    for case in queries(folder):
        found = fetch(case["query"])
        rows.append(
            {
                "query": case["query"],
                "ndcg": round(ndcg(found, case["relevant"]), 4),
                "rr": round(reciprocal_rank(found, case["relevant"]), 4),
                "top": found[:3],
                "kind": case.get("kind", ""),
            }
        )
    kinds = sorted({row["kind"] for row in rows if row["kind"]})
    by_kind = {
        kind: round(
            sum(r["rr"] for r in rows if r["kind"] == kind)
            / sum(1 for r in rows if r["kind"] == kind),
            4,
        )
        for kind in kinds
    }
    return {
        "mrr_by_kind": by_kind,
        "queries": len(rows),
        "ndcg_at_10": round(sum(r["ndcg"] for r in rows) / len(rows), 4),
        "mrr_at_10": round(sum(r["rr"] for r in rows) / len(rows), 4),
        "per_query": rows,
    }
