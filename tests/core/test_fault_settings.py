"""Database limits of web processes, rate limits and sign-in throttling settings.

Each case reads the settings in a fresh process, as a server or a command
would see them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.helpers import ROOT

PRINT = """
import json, django
django.setup()
from django.conf import settings as s
db = s.DATABASES["default"]
print(json.dumps({
    "options": db["OPTIONS"].get("options"),
    "pool_timeout": (db["OPTIONS"].get("pool") or {}).get("timeout"),
    "rate_limits": s.PANTRY_RATE_LIMITS,
    "axes": [s.AXES_ENABLED, s.AXES_FAILURE_LIMIT, s.AXES_LOCKOUT_PARAMETERS],
    "backends": s.AUTHENTICATION_BACKENDS[0],
}))
"""

PRODUCTION = {
    "PANTRY_ENV": "production",
    "SECRET_KEY": "x" * 60,
    "ALLOWED_HOSTS": "shop.example.com",
}


def settings_of(**env: str) -> dict:
    base = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PANTRY_", "AXES_")) and key != "DATABASE_URL"
    }
    result = subprocess.run(
        [sys.executable, "-c", PRINT],
        env={
            **base,
            "DJANGO_SETTINGS_MODULE": "pantry.settings",
            "DATABASE_URL": "postgres://shop@db.example.com/shop",
            "PANTRY_ENV": "test",
            **env,
        },
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_web_processes_get_short_statement_lock_and_idle_limits_and_pool_wait():
    web = settings_of(PANTRY_WEB_PROCESS="1")

    assert web["options"] == (
        "-c statement_timeout=5000 -c lock_timeout=2000"
        " -c idle_in_transaction_session_timeout=10000"
    )
    assert web["pool_timeout"] == 3


def test_commands_and_migrations_keep_the_servers_defaults():
    command = settings_of()

    assert command["options"] is None
    assert command["pool_timeout"] == 10


def test_web_limits_come_from_the_environment_and_zero_means_none():
    web = settings_of(
        PANTRY_WEB_PROCESS="1",
        PANTRY_WEB_STATEMENT_TIMEOUT="30",
        PANTRY_WEB_LOCK_TIMEOUT="0",
        PANTRY_WEB_POOL_TIMEOUT="1",
    )

    assert web["options"] == (
        "-c statement_timeout=30000 -c lock_timeout=0"
        " -c idle_in_transaction_session_timeout=10000"
    )
    assert web["pool_timeout"] == 1


def test_behind_pgbouncer_no_startup_options_are_sent():
    # PgBouncer drops (or refuses) them: its own settings apply instead.
    web = settings_of(PANTRY_WEB_PROCESS="1", PANTRY_PGBOUNCER="1")

    assert web["options"] is None


def test_rate_limits_read_requests_per_seconds_or_off():
    limits = settings_of(
        PANTRY_RATE_LIMIT_ORDERS="5/10", PANTRY_RATE_LIMIT_LOGIN="off"
    )["rate_limits"]

    assert limits == {
        "orders": [5, 10],
        "signup": [600, 60],
        "login": None,
        "password_reset": [600, 60],
    }


def test_production_limits_are_tighter():
    limits = settings_of(**PRODUCTION)["rate_limits"]

    assert limits == {
        "orders": [30, 60],
        "signup": [10, 600],
        "login": [30, 60],
        "password_reset": [5, 600],
    }


@pytest.mark.parametrize("value", ["10", "ten/60", "0/60", "5/0", "-1/60"])
def test_a_malformed_rate_limit_is_refused_by_name(value):
    result = subprocess.run(
        [sys.executable, "-m", "pantry.platform.cli", "check"],
        env={**os.environ, "PANTRY_RATE_LIMIT_ORDERS": value},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 1
    assert result.stderr.strip() == (
        "pantry: configuration error: PANTRY_RATE_LIMIT_ORDERS must be "
        f"REQUESTS/SECONDS (30/60) or off, not {value!r}"
    )


@pytest.mark.parametrize(
    "env", [{"PANTRY_ENV": "development"}, {"PANTRY_ENV": "test"}, PRODUCTION]
)
def test_failed_sign_ins_are_throttled_per_account_and_address_everywhere(env):
    seen = settings_of(**env)

    assert seen["axes"] == [True, 5, ["username", "ip_address"]]
    assert seen["backends"] == "axes.backends.AxesStandaloneBackend"
