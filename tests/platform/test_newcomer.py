"""A machine without pgbouncer or chromium: skip locally, fail under CI=true."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.helpers import ROOT, require_tool


def test_a_missing_tool_skips_with_the_reason(monkeypatch):
    monkeypatch.delenv("CI", raising=False)

    with pytest.raises(pytest.skip.Exception) as skipped:
        require_tool(
            "/nonexistent/pgbouncer",
            name="pgbouncer",
            install="apt-get install pgbouncer",
        )

    assert (
        str(skipped.value) == "pgbouncer is not installed (apt-get install pgbouncer)"
    )


def test_a_missing_tool_fails_under_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")

    with pytest.raises(pytest.fail.Exception) as failed:
        require_tool(None, name="chromium", install="apt-get install -y chromium")

    assert str(failed.value) == (
        "chromium is not installed (apt-get install -y chromium); CI=true needs it"
    )


def test_a_present_tool_is_returned():
    assert require_tool(sys.executable, name="python", install="-") == sys.executable


def _pgbouncer_tests(ci: str | None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PANTRY_PGBOUNCER_BIN": "/nonexistent/pgbouncer"}
    env.pop("CI", None)
    if ci:
        env["CI"] = ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", "tests/core/test_pgbouncer.py", "-n", "0",
         "-q", "-p", "no:cacheprovider", "-rs"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def test_the_suite_without_pgbouncer_skips_locally_and_fails_under_ci():
    local = _pgbouncer_tests(None)
    ci = _pgbouncer_tests("true")

    assert local.returncode == 0, local.stdout
    assert "pgbouncer is not installed (apt-get install pgbouncer)" in local.stdout
    assert " skipped" in local.stdout.splitlines()[-1]
    assert ci.returncode == 1, ci.stdout
    assert "CI=true needs it" in ci.stdout
    assert " passed" not in ci.stdout.splitlines()[-1]
