"""A migration rule django-migration-linter does not have: no blocking builds.

Adding an index or a constraint to a table that already exists builds it
under a lock that stops writes (an index) or reads and writes (a CHECK or
EXCLUDE validated in place) for as long as the build takes; on a large,
busy table that is an outage. A table created earlier must get its indexes
with ``AddIndexConcurrently`` (or ``CREATE INDEX CONCURRENTLY``) and its
constraints as ``NOT VALID`` followed by ``VALIDATE CONSTRAINT``. Changing
a column's type rewrites the table under an exclusive lock.

A migration that does one of these on purpose (a small table, a table no
release has shipped yet) says why in a ``safety`` attribute::

    class Migration(migrations.Migration):
        safety = "vouchers holds a few hundred rows"

The rule works on migration objects, so it needs no database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.operations import (
    AddConstraintNotValid,
    AddIndexConcurrently,
)
from django.db import connection, migrations
from django.db.migrations import Migration
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.state import ProjectState

_CREATE_INDEX = re.compile(
    r"\bCREATE\s+(?:UNIQUE\s+)?INDEX\s+(?!CONCURRENTLY\b)", re.IGNORECASE
)
_ADD_CONSTRAINT = re.compile(
    r"\bADD\s+CONSTRAINT\b(?![^;]*\bNOT\s+VALID\b)(?![^;]*\bUNIQUE\s+USING\s+INDEX\b)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Finding:
    migration: str
    reason: str

    def __str__(self) -> str:
        return f"{self.migration}: {self.reason}"


def _sql_texts(operation: migrations.RunSQL) -> Iterator[str]:
    sql = operation.sql
    items = [sql] if isinstance(sql, str) else list(sql)
    for item in items:
        yield item[0] if isinstance(item, list | tuple) else str(item)


def _alter_problem(
    operation: migrations.AlterField, state: ProjectState, app: str
) -> str | None:
    old = state.models[app, operation.model_name_lower].fields.get(operation.name)
    if old is None:
        return None
    new = operation.field
    # An unbound relation cannot say its column type; its target's key
    # decides it, and changing that is a migration of the target.
    relation = new.remote_field is not None or old.remote_field is not None
    old_type = None if relation else old.db_type(connection)
    new_type = None if relation else new.db_type(connection)
    if old_type != new_type:
        return (
            f"AlterField {operation.name} changes {old_type} to {new_type}, which "
            "may rewrite the table under an exclusive lock"
        )
    if old.null and not new.null:
        return (
            f"AlterField {operation.name} sets NOT NULL, a scan of the table "
            "under an exclusive lock"
        )
    return None


def _operation_problems(
    operation: Any, state: ProjectState, app: str, before: set[Any]
) -> list[str]:
    model = getattr(operation, "model_name_lower", None)
    existing = model is not None and (app, model) in before
    if isinstance(operation, migrations.SeparateDatabaseAndState):
        # What runs is the database side; the state side only says so.
        return [
            problem
            for inner in operation.database_operations
            for problem in _operation_problems(inner, state, app, before)
        ]
    if isinstance(operation, migrations.AddIndex) and not isinstance(
        operation, AddIndexConcurrently
    ):
        if existing:
            return [
                f"AddIndex {operation.index.name} on an existing table: "
                "use AddIndexConcurrently in a non-atomic migration"
            ]
    elif isinstance(operation, migrations.AddConstraint) and not isinstance(
        operation, AddConstraintNotValid
    ):
        if existing:
            return [
                f"AddConstraint {operation.constraint.name} on an existing "
                "table validates under an exclusive lock: AddConstraintNotValid, "
                "then ValidateConstraint in another transaction (a unique one: "
                "CREATE UNIQUE INDEX CONCURRENTLY)"
            ]
    elif isinstance(operation, migrations.AlterField) and existing:
        problem = _alter_problem(operation, state, app)
        return [problem] if problem else []
    elif isinstance(operation, migrations.RunSQL):
        problems = []
        for text in _sql_texts(operation):
            if _CREATE_INDEX.search(text):
                problems.append(
                    "RunSQL creates an index without CONCURRENTLY "
                    "(fine only for a table created in the same migration)"
                )
            if _ADD_CONSTRAINT.search(text):
                problems.append(
                    "RunSQL adds a constraint without NOT VALID (fine only "
                    "for a table created in the same migration)"
                )
        return problems
    return []


def check_migration(migration: Migration, state: ProjectState) -> list[str]:
    """Why ``migration`` would block a busy table; empty when it would not.

    ``state`` is the project state before this migration; it is moved past
    it.
    """
    app = migration.app_label
    problems: list[str] = []
    # Tables created by this migration are empty: anything goes on them.
    before = set(state.models)
    for operation in migration.operations:
        problems.extend(_operation_problems(operation, state, app, before))
        operation.state_forwards(app, state)
    return problems


def check_migrations(plan: Iterable[Migration]) -> list[Finding]:
    """Findings for every migration of ``plan`` (the whole plan, in applying
    order, so the state is right) that does not say why it may block."""
    state = ProjectState(real_apps=set())
    findings: list[Finding] = []
    for migration in plan:
        problems = check_migration(migration, state)
        if (
            problems
            and migration.__module__.startswith("pantry.")
            and not getattr(migration, "safety", "")
        ):
            label = f"{migration.app_label}.{migration.name}"
            findings.extend(Finding(label, problem) for problem in problems)
    return findings


def project_plan() -> list[Migration]:
    """Every migration on disk, in an order that applies them."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    seen: set[tuple[str, str]] = set()
    plan: list[Migration] = []
    for leaf in sorted(loader.graph.leaf_nodes()):
        for node in loader.graph.forwards_plan(leaf):
            if node not in seen:
                seen.add(node)
                plan.append(loader.graph.nodes[node])
    return plan
