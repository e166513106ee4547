"""Settings come from the environment and refuse unsafe production setups."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

from tests.helpers import ROOT

PANTRY = [sys.executable, "-m", "pantry.platform.cli"]


def run_pantry(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PANTRY_ENV", "SECRET_KEY", "ALLOWED_HOSTS"}
    }
    return subprocess.run(
        [*PANTRY, *args],
        env={**base, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_tests_run_in_the_test_environment_without_debug():
    assert settings.PANTRY_ENV == "test"
    assert settings.DEBUG is False


def test_production_refuses_to_start_without_a_secret_key():
    result = run_pantry(
        "check", PANTRY_ENV="production", ALLOWED_HOSTS="shop.example.com"
    )

    assert result.returncode == 1
    assert result.stderr.strip() == (
        "pantry: configuration error: SECRET_KEY must be set when PANTRY_ENV=production"
    )


def test_production_refuses_to_start_without_allowed_hosts():
    result = run_pantry("check", PANTRY_ENV="production", SECRET_KEY="x" * 60)

    assert result.returncode == 1
    assert result.stderr.strip() == (
        "pantry: configuration error: ALLOWED_HOSTS must be set when PANTRY_ENV=production"
    )


def test_production_settings_pass_the_deploy_check_without_warnings():
    result = run_pantry(
        "check", "--deploy", "--fail-level", "WARNING",
        PANTRY_ENV="production", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="shop.example.com",
    )  # fmt: skip

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://u@h/db", "DATABASE_URL must be a postgres:// or postgresql:// URL"),
        ("postgres://u@h", "DATABASE_URL must name a database"),
    ],
)
def test_a_database_url_pantry_cannot_use_is_one_clear_line(url, message):
    result = run_pantry("migrate", DATABASE_URL=url)

    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unreachable_database_is_one_clear_line():
    result = run_pantry("migrate", DATABASE_URL="postgres://nobody@127.0.0.1:9/shop")

    assert result.returncode == 1
    assert result.stderr.startswith(
        "pantry: cannot reach the database at 127.0.0.1:9/shop: "
    )
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"PANTRY_ENV": "staging"},
            "PANTRY_ENV must be one of development, test, production",
        ),
        (
            {"PANTRY_DB_POOL_MAX_SIZE": "lots"},
            "PANTRY_DB_POOL_MAX_SIZE must be a whole number",
        ),
        ({"PANTRY_PGBOUNCER": "maybe"}, "PANTRY_PGBOUNCER must be 1 or 0"),
    ],
)
def test_malformed_variables_are_named_in_the_error(env, message):
    result = run_pantry("check", **env)

    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_pgbouncer_mode_turns_off_the_pool_and_server_side_cursors():
    code = (
        "import django; from django.conf import settings as s; d = s.DATABASES['default'];"
        "print('pool' in d['OPTIONS'], d['DISABLE_SERVER_SIDE_CURSORS'], d['OPTIONS']['prepare_threshold'],"
        " d['OPTIONS']['server_side_binding'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PANTRY_PGBOUNCER": "1", "DATABASE_URL": "postgres://u@db.internal:6432/shop"},
        capture_output=True, text=True, check=True, cwd=ROOT,
    )  # fmt: skip

    assert result.stdout.split() == ["False", "True", "None", "False"]


@pytest.mark.parametrize(("value", "expected"), [(None, "True"), ("0", "False")])
def test_server_side_binding_is_on_unless_turned_off(value, expected):
    code = "from django.conf import settings as s; print(s.DATABASES['default']['OPTIONS']['server_side_binding'])"
    env = {k: v for k, v in os.environ.items() if k != "PANTRY_DB_SERVER_SIDE_BINDING"}
    if value is not None:
        env["PANTRY_DB_SERVER_SIDE_BINDING"] = value
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, cwd=ROOT,
    )  # fmt: skip

    assert result.stdout.strip() == expected


def test_the_native_pool_takes_its_sizes_from_the_environment():
    code = "from django.conf import settings as s; print(s.DATABASES['default']['OPTIONS']['pool'])"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PANTRY_DB_POOL_MIN_SIZE": "3", "PANTRY_DB_POOL_MAX_SIZE": "7"},
        capture_output=True, text=True, check=True, cwd=ROOT,
    )  # fmt: skip

    assert result.stdout.strip() == "{'min_size': 3, 'max_size': 7, 'timeout': 10}"


@pytest.mark.parametrize(
    ("env", "entries"),
    [
        ({"PANTRY_ENV": "development"}, "0"),
        ({"PANTRY_ENV": "development", "PANTRY_PAGE_CACHE_ENTRIES": "50"}, "50"),
        ({"PANTRY_ENV": "test"}, "500"),
        ({"PANTRY_ENV": "test", "PANTRY_PAGE_CACHE_ENTRIES": "0"}, "0"),
    ],
)
def test_the_page_cache_is_off_with_debug_so_template_edits_show(env, entries):
    code = "from django.conf import settings as s; print(s.PANTRY_PAGE_CACHE_ENTRIES)"
    base = {k: v for k, v in os.environ.items() if not k.startswith("PANTRY_")}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**base, "DJANGO_SETTINGS_MODULE": "pantry.settings", **env},
        capture_output=True, text=True, check=True, cwd=ROOT,
    )  # fmt: skip
    assert result.stdout.strip() == entries
