"""`pantry seed catalog` draws a progress bar on a terminal, and only there."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys

import pytest

from pantry.catalog.models import Product
from pantry.core.progress import Progress
from tests.helpers import ROOT
from tests.storefront.conftest import database_url


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    # The seed stores its drawings: in a directory of this test's own.
    settings.MEDIA_ROOT = tmp_path / "media"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def seed_command(products: int) -> list[str]:
    return [
        sys.executable, "-m", "pantry.platform.cli", "seed", "catalog",
        "--products", str(products), "--replace",
    ]  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_seeding_on_a_terminal_shows_a_bar_then_the_summary():
    env = {**os.environ, "DATABASE_URL": database_url()}
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        seed_command(3000), cwd=ROOT, env=env, stdout=follower, stderr=follower
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    output = b"".join(chunks).decode()

    assert process.wait(timeout=120) == 0, output
    assert "\rproducts [" in output
    assert "100% 3,000/3,000" in output
    assert "\rproducts: indexes and summaries" in output
    # The bar's line is cleared before the summary.
    assert "\r\x1b[Kseeded " in output
    assert Product.objects.count() == 3000


@pytest.mark.django_db(transaction=True)
def test_seeding_into_a_pipe_prints_only_the_summary():
    env = {**os.environ, "DATABASE_URL": database_url()}

    result = subprocess.run(
        seed_command(200), cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert "\r" not in result.stdout
    assert result.stdout.startswith("seeded ")
    assert result.stdout.count("\n") == 1


def test_the_bar_fills_as_work_is_done_and_clears_its_line():
    out = Terminal()
    progress = Progress(out, label="products", total=4)

    progress.advance(2)
    progress.advance(2)
    progress.phase("analyze")
    progress.close()

    assert out.getvalue() == (
        "\rproducts [" + "#" * 15 + "." * 15 + "]  50% 2/4"
        "\rproducts [" + "#" * 30 + "] 100% 4/4"
        "\rproducts: analyze\x1b[K"
        "\r\x1b[K"
    )


def test_no_bar_is_drawn_off_a_terminal():
    out = io.StringIO()
    progress = Progress(out, label="products", total=4)

    progress.advance(4)
    progress.phase("analyze")
    progress.close()

    assert out.getvalue() == ""
