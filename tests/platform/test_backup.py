"""Backups restore to the same rows; a bad file or a full database changes nothing."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from psycopg import sql

from pantry.platform.backup import BackupError, backup, connect
from tests.factories import PostFactory, ProductFactory, VariantFactory

pytestmark = pytest.mark.django_db(transaction=True)


def fingerprint(database: str) -> dict[str, tuple[int, str]]:
    """Row count and an md5 of the sorted rows of every table in public."""
    config = connection.settings_dict
    result = {}
    with connect(config, database) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        for table in tables:
            query = sql.SQL(
                "SELECT count(*), coalesce(md5(string_agg(t::text, ','"
                " ORDER BY t::text)), '') FROM {} AS t"
            ).format(sql.Identifier(table))
            count, digest = conn.execute(query).fetchone()  # type: ignore[misc]
            result[table] = (count, digest)
    return result


@pytest.fixture
def scratch_database() -> Iterator[str]:
    name = f"test_restore_{uuid.uuid4().hex[:8]}"
    config = connection.settings_dict
    with connect(config, "postgres") as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield name
    finally:
        with connect(config, "postgres") as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(name)
                )
            )


@pytest.fixture
def shop_rows() -> None:
    for n in range(3):
        VariantFactory(product=ProductFactory(tags=["tea", f"t{n}"]), stock=n)
    PostFactory()


def test_backup_then_restore_into_a_fresh_database_gives_identical_tables(
    tmp_path: Path, scratch_database: str, shop_rows: None
):
    file = tmp_path / "shop.dump"

    call_command("db_backup", str(file), stdout=io.StringIO())
    call_command(
        "db_restore", str(file), "--dbname", scratch_database, stdout=io.StringIO()
    )

    original = fingerprint(connection.settings_dict["NAME"])
    restored = fingerprint(scratch_database)
    assert restored == original
    assert original["catalog_product"][0] == 3
    assert original["journal_post"][0] == 1


def test_restoring_into_a_database_with_tables_is_refused_and_changes_nothing(
    tmp_path: Path, scratch_database: str, shop_rows: None
):
    file = tmp_path / "shop.dump"
    call_command("db_backup", str(file), stdout=io.StringIO())
    with connect(connection.settings_dict, scratch_database) as conn:
        conn.execute("CREATE TABLE keep (n int)")
        conn.execute("INSERT INTO keep VALUES (1)")

    with pytest.raises(
        CommandError,
        match=rf"^database {scratch_database} is not empty \(1 tables\); pass "
        r"--replace to overwrite it$",
    ):
        call_command("db_restore", str(file), "--dbname", scratch_database)

    assert fingerprint(scratch_database) == {"keep": (1, fingerprint_of_one())}


def fingerprint_of_one() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT md5('(1)')")
        return cursor.fetchone()[0]


def test_replace_overwrites_a_database_with_the_backup(
    tmp_path: Path, scratch_database: str, shop_rows: None
):
    file = tmp_path / "shop.dump"
    call_command("db_backup", str(file), stdout=io.StringIO())
    with connect(connection.settings_dict, scratch_database) as conn:
        conn.execute("CREATE TABLE keep (n int)")

    call_command(
        "db_restore",
        str(file),
        "--dbname",
        scratch_database,
        "--replace",
        stdout=io.StringIO(),
    )

    assert fingerprint(scratch_database) == fingerprint(
        connection.settings_dict["NAME"]
    )


def test_a_file_that_is_not_a_backup_is_refused_before_anything_changes(
    tmp_path: Path, scratch_database: str
):
    file = tmp_path / "notes.dump"
    file.write_text("not a dump\n")
    with connect(connection.settings_dict, scratch_database) as conn:
        conn.execute("CREATE TABLE keep (n int)")

    with pytest.raises(
        CommandError,
        match=rf"^{file} is not a backup: not a pg_dump custom-format archive$",
    ):
        call_command("db_restore", str(file), "--dbname", scratch_database, "--replace")

    assert fingerprint(scratch_database) == {"keep": (0, "")}


def test_a_truncated_backup_fails_inside_the_transaction_and_keeps_the_old_data(
    tmp_path: Path, scratch_database: str, shop_rows: None
):
    file = tmp_path / "shop.dump"
    call_command("db_backup", str(file), stdout=io.StringIO())
    data = file.read_bytes()
    file.write_bytes(data[: len(data) * 2 // 3])
    with connect(connection.settings_dict, scratch_database) as conn:
        conn.execute("CREATE TABLE keep (n int)")

    with pytest.raises(CommandError, match=r"failed"):
        call_command("db_restore", str(file), "--dbname", scratch_database, "--replace")

    assert fingerprint(scratch_database) == {"keep": (0, "")}


def test_the_cli_says_one_line_and_exits_non_zero_for_a_missing_file(tmp_path: Path):
    db = connection.settings_dict
    env = {
        **os.environ,
        "PANTRY_ENV": "test",
        "DATABASE_URL": f"postgresql://{db['USER']}@/{db['NAME']}",
        "PGHOST": db["HOST"],
        "PGPORT": str(db["PORT"]),
    }
    missing = tmp_path / "missing.dump"

    result = subprocess.run(
        [sys.executable, "-m", "pantry.platform.cli", "db", "restore", str(missing)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )

    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"CommandError: {missing} does not exist"
    ]


def test_a_backup_of_an_unreachable_database_writes_no_file(tmp_path: Path):
    file = tmp_path / "shop.dump"
    config = {**connection.settings_dict, "NAME": "no_such_database_here"}
    with pytest.raises(
        BackupError, match=r"^cannot reach database no_such_database_here"
    ):
        backup(config, file)

    assert list(tmp_path.iterdir()) == []
