"""`migrations_check` migrates each app alone to zero in a scratch database."""

from __future__ import annotations

import subprocess
import sys

from tests.helpers import ROOT


def test_every_app_migrates_alone_to_zero_and_back_in_a_scratch_database():
    result = subprocess.run(
        [sys.executable, "-m", "pantry.platform.cli", "migrations_check", "--skip-lint"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("migrating pantry_migrations_check_")
    alone = [line.split()[1] for line in lines if line.endswith("forward again")]
    assert alone == [
        "core",
        "events",
        "catalog",
        "customers",
        "journal",
        "search",
        "shipping",
        "tax",
        "vouchers",
        "payments",
        "orders",
        "platform",
    ]
    assert lines[-1] == "migrations are complete, clean and reversible"
