"""Write bench/search_eval/corpus.jsonl from text shipped with CPython.

    python -m bench.search_eval.build_corpus

Posts are the help topics of ``pydoc_data.topics`` (the text behind
``help("assert")``, written by the Python documentation authors); products
are standard-library modules, named by the first line of their docstring and
described by the rest. Nobody on the pantry team wrote any of it. The file is
committed, so the evaluation does not change with the Python version that
runs it; rerun this script only to refresh the corpus on purpose (and check
queries.json against it).
"""

from __future__ import annotations

import importlib
import json
import pydoc_data.topics
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus.jsonl"

MODULES = [
    "abc",
    "argparse",
    "array",
    "ast",
    "base64",
    "bisect",
    "bz2",
    "calendar",
    "cmath",
    "collections",
    "colorsys",
    "configparser",
    "contextlib",
    "copy",
    "csv",
    "difflib",
    "fnmatch",
    "fractions",
    "functools",
    "getopt",
    "getpass",
    "gettext",
    "gzip",
    "hashlib",
    "heapq",
    "hmac",
    "imaplib",
    "inspect",
    "io",
    "ipaddress",
    "itertools",
    "json",
    "keyword",
    "linecache",
    "locale",
    "lzma",
    "math",
    "mimetypes",
    "operator",
    "optparse",
    "os",
    "pathlib",
    "pickle",
    "pprint",
    "queue",
    "quopri",
    "random",
    "re",
    "sched",
    "secrets",
    "shelve",
    "shlex",
    "shutil",
    "smtplib",
    "socket",
    "sqlite3",
    "statistics",
    "string",
    "struct",
    "subprocess",
    "tempfile",
    "timeit",
    "tokenize",
    "traceback",
    "turtle",
    "typing",
    "unittest",
    "uuid",
    "wave",
    "zipfile",
    "zlib",
]
MAX_BODY = 8000
_UNDERLINE = re.compile(r"^[*=\-~^]{3,}$")


def _topic_posts() -> list[dict[str, object]]:
    posts = []
    for key, text in sorted(pydoc_data.topics.topics.items()):
        lines = text.strip().splitlines()
        body = [line for line in lines[1:] if not _UNDERLINE.match(line.strip())]
        posts.append(
            {
                "type": "post",
                "slug": f"topic-{key}",
                "title": lines[0].strip(),
                "tags": [part for part in key.split("-") if part],
                "body": "\n".join(body).strip()[:MAX_BODY],
            }
        )
    return posts


def _module_products() -> list[dict[str, object]]:
    products = []
    for name in MODULES:
        doc = (importlib.import_module(name).__doc__ or "").strip()
        if not doc:
            continue
        first, _, rest = doc.partition("\n")
        products.append(
            {
                "type": "product",
                "slug": f"module-{name}",
                "title": f"{name}: {first.strip()}"[:200],
                "tags": ["stdlib", name],
                "body": rest.strip()[:MAX_BODY],
            }
        )
    return products


def main() -> None:
    documents = _topic_posts() + _module_products()
    with CORPUS.open("w", encoding="utf-8") as out:
        for document in documents:
            out.write(json.dumps(document, ensure_ascii=False, sort_keys=True) + "\n")
    print(f"{len(documents)} documents written to {CORPUS.name}")


if __name__ == "__main__":
    main()
