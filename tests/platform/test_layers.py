"""The import map of docs/architecture.md, in Python and in SQL.

Apps are layered; an app may import the apps below it, never one above, and
SQL that names another app's table, trigger, function or index counts as an
import of that app.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps

from tests.helpers import ROOT

SOURCE = ROOT / "src" / "pantry"
# Lowest first. Top-level modules (settings, urls, api, wsgi) wire
# everything together and sit with platform.
LAYERS = (
    "core",
    "events",
    "catalog",
    "customers",
    "journal",
    # Checkout's apps, used by orders; they report back through listeners.
    "shipping",
    "tax",
    "vouchers",
    "payments",
    "orders",
    "search",
    "storefront",
    "platform",
)
# Narrower than the layers allow: what an app may use of another.
ONLY = {"journal": {"catalog": ("pantry.catalog.models",)}}
CREATED = re.compile(
    r"CREATE\s+(?:OR\s+REPLACE\s+)?(?:UNIQUE\s+)?"
    r"(?:TRIGGER|FUNCTION|INDEX(?:\s+CONCURRENTLY)?|TABLE|VIEW|MATERIALIZED\s+VIEW)"
    r"\s+(?:IF\s+NOT\s+EXISTS\s+)?([a-z][a-z0-9]*_[a-z0-9_]+)",
    re.IGNORECASE,
)


def app_of(path: Path) -> str:
    """The app a source file belongs to ("platform" for top-level modules)."""
    parts = path.relative_to(SOURCE).parts
    return parts[0] if len(parts) > 1 and parts[0] in LAYERS else "platform"


def python_files() -> list[Path]:
    return sorted(SOURCE.rglob("*.py"))


def imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found += [node.module]
            found += [f"{node.module}.{alias.name}" for alias in node.names]
    return [name for name in found if name.startswith("pantry.")]


def allowed(importer: str, module: str) -> bool:
    target = module.split(".")[1]
    if target not in LAYERS or target == importer:
        return True
    if LAYERS.index(target) > LAYERS.index(importer):
        return False
    only = ONLY.get(importer, {}).get(target)
    return only is None or module.startswith(only) or module == f"pantry.{target}"


def forbidden_imports() -> list[str]:
    problems = []
    for path in python_files():
        importer = app_of(path)
        for module in imported_modules(path):
            if not allowed(importer, module):
                problems.append(f"{path.relative_to(ROOT)} imports {module}")
    return sorted(set(problems))


def owned_sql_names() -> dict[str, str]:
    """Tables of each app's models and what its migrations create: name → app."""
    owners = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("pantry."):
            continue
        label = config.name.split(".")[1]
        for model in config.get_models():
            owners[model._meta.db_table] = label
        for migration in (SOURCE / label / "migrations").glob("*.py"):
            for name in CREATED.findall(migration.read_text()):
                owners.setdefault(name.lower(), label)
    return owners


def string_literals(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


def forbidden_sql() -> list[str]:
    owners = owned_sql_names()
    word = re.compile(r"\b[a-z_][a-z0-9_]*\b")
    problems = []
    for path in python_files():
        user = app_of(path)
        for text in string_literals(path):
            for name in set(word.findall(text)):
                owner = owners.get(name)
                if owner and LAYERS.index(owner) > LAYERS.index(user):
                    problems.append(f"{path.relative_to(ROOT)} names {name} ({owner})")
    return sorted(set(problems))


def test_no_app_imports_an_app_above_it():
    assert forbidden_imports() == []


def test_no_app_names_sql_objects_of_an_app_above_it():
    assert forbidden_sql() == []


@pytest.mark.parametrize(
    ("importer", "module", "expected"),
    [
        ("catalog", "pantry.journal.queries", False),
        ("core", "pantry.catalog.models", False),
        ("journal", "pantry.catalog.models", True),
        ("journal", "pantry.catalog.services", False),
        ("storefront", "pantry.journal.queries", True),
        ("search", "pantry.catalog.queries", True),
        ("platform", "pantry.search.bulk", True),
    ],
)
def test_the_rule_tells_allowed_imports_from_forbidden_ones(importer, module, expected):
    assert allowed(importer, module) is expected


def test_the_sql_scan_knows_each_apps_objects():
    owners = owned_sql_names()

    assert owners["catalog_product"] == "catalog"
    assert owners["search_lexicon"] == "search"
    assert owners["search_lexicon_insert"] == "search"
    assert owners["journal_post"] == "journal"
