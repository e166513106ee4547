"""The Dockerfile and compose.yaml: linted, schema-checked, and what they promise.

No container engine runs here: hadolint and the Compose specification's
schema check the files; the image's build step is run against this tree.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests.helpers import ROOT

DOCKERFILE = ROOT / "Dockerfile"
COMPOSE = ROOT / "compose.yaml"


def tool(name: str) -> str:
    found = shutil.which(name) or shutil.which(
        name, path=str(Path(sys.executable).parent)
    )
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{name} is missing (dev dependency)")
        pytest.skip(f"{name} is not installed")
    return found


def test_hadolint_finds_nothing_in_the_dockerfile():
    result = subprocess.run(
        [tool("hadolint"), "--no-color", str(DOCKERFILE)],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_compose_file_follows_the_compose_specification():
    result = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(COMPOSE)],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "ok -- validation done"


def test_the_image_is_multi_stage_non_root_locked_and_checks_readyz():
    text = DOCKERFILE.read_text()

    assert len(re.findall(r"^FROM ", text, re.MULTILINE)) == 2
    assert re.findall(r"^USER (\S+)$", text, re.MULTILINE) == ["10001"]
    assert text.count("uv sync --locked --no-dev") == 2
    assert "collectstatic --noinput" in text
    assert "http://127.0.0.1:8000/readyz" in text.split("HEALTHCHECK", 1)[1]
    assert re.search(r'^ENTRYPOINT \["granian", ', text, re.MULTILINE)


def test_compose_runs_every_part_from_the_environment():
    spec = YAML(typ="safe").load(COMPOSE.read_text())

    assert sorted(spec["services"]) == [
        "dispatcher", "migrate", "pgbouncer", "postgres", "replica", "upkeep",
        "web", "worker",
    ]  # fmt: skip
    web = spec["services"]["web"]["environment"]
    assert web["PANTRY_PGBOUNCER"] == "1"
    assert "@pgbouncer:5432/" in web["DATABASE_URL"]
    assert "@replica:5432/" in web["DATABASE_REPLICA_URLS"]
    assert (
        "@postgres:5432/" in spec["services"]["migrate"]["environment"]["DATABASE_URL"]
    )
    assert spec["services"]["worker"]["entrypoint"] == ["pantry", "db_worker"]
    assert spec["services"]["dispatcher"]["entrypoint"] == [
        "pantry",
        "events",
        "dispatch",
    ]
    assert spec["services"]["upkeep"]["entrypoint"][:2] == ["pantry", "orders_upkeep"]
    assert spec["services"]["pgbouncer"]["environment"]["POOL_MODE"] == "transaction"
    assert "pg_basebackup" in spec["services"]["replica"]["entrypoint"][2]
    assert spec["services"]["postgres"]["image"] == "postgres:18"


def test_the_build_step_collects_static_files_without_a_database(tmp_path: Path):
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "pantry.settings",
        "PANTRY_ENV": "production",
        "SECRET_KEY": "collectstatic-only",
        "ALLOWED_HOSTS": "build",
        "PANTRY_VAR_DIR": str(tmp_path),
        "DATABASE_URL": "postgres://build@build/build",
    }

    result = subprocess.run(
        [sys.executable, "-m", "django", "collectstatic", "--noinput", "--verbosity", "0"],
        env=env, cwd=tmp_path, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "static" / "staticfiles.json").is_file()
