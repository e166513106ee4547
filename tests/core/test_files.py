"""Files written whole or not at all; special files refused; a full disk
is one line and leaves no partial file."""

from __future__ import annotations

import os
import resource
import subprocess
import sys

import pytest

from pantry.core.files import FileWriteError, atomic_write
from tests.catalog.factories import CategoryFactory, ProductFactory
from tests.catalog.test_import import _test_database_url
from tests.helpers import ROOT


def test_the_target_is_replaced_only_when_the_block_succeeds(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old\n")

    def write_then_fail() -> None:
        with atomic_write(target) as out:
            out.write("new, but not finished")
            raise RuntimeError("half way")

    with pytest.raises(RuntimeError, match="half way"):
        write_then_fail()

    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]

    with atomic_write(target) as out:
        out.write("new\n")

    assert target.read_text() == "new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_a_new_file_gets_the_usual_permissions(tmp_path):
    umask = os.umask(0o022)
    try:
        with atomic_write(tmp_path / "new.txt") as out:
            out.write("x")
    finally:
        os.umask(umask)

    assert (tmp_path / "new.txt").stat().st_mode & 0o777 == 0o644


def test_a_device_is_refused_untouched():
    with pytest.raises(FileWriteError) as error, atomic_write(os.devnull):
        pytest.fail("the block must not run")

    assert str(error.value) == (
        "cannot write /dev/null: not a regular file (write to a file, or to "
        "standard output and redirect it)"
    )
    assert os.path.exists("/dev/null")
    assert not os.path.isfile("/dev/null")


def test_a_pipe_and_a_directory_are_refused(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)

    with pytest.raises(FileWriteError, match=r"fifo: not a regular file"):
        atomic_write(fifo).__enter__()
    with pytest.raises(FileWriteError, match=r"cannot write .*: it is a directory$"):
        atomic_write(tmp_path).__enter__()


def test_a_missing_directory_is_one_sentence(tmp_path):
    with pytest.raises(FileWriteError) as error:
        atomic_write(tmp_path / "nowhere" / "out.txt").__enter__()

    assert str(error.value) == (
        f"cannot write {tmp_path / 'nowhere' / 'out.txt'}: No such file or directory"
    )


def _limit_file_size() -> None:
    # What a full disk does to a write, without filling one: the kernel
    # refuses bytes past 4 KiB (Python ignores SIGXFSZ, so write() fails).
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))


@pytest.mark.django_db(transaction=True)
def test_export_to_a_full_disk_is_one_line_and_leaves_the_old_file(tmp_path):
    kitchen = CategoryFactory(slug="kitchen")
    for number in range(200):
        ProductFactory(slug=f"p{number:04}", category=kitchen)
    target = tmp_path / "products.jsonl"
    target.write_text("yesterday's export\n")
    env = {**os.environ, "DATABASE_URL": _test_database_url()}

    result = subprocess.run(
        [sys.executable, "-m", "pantry.platform.cli", "export", "products",
         "--output", str(target)],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=120,
        preexec_fn=_limit_file_size, check=False,
    )  # fmt: skip

    assert result.returncode == 1
    assert result.stderr == f"CommandError: cannot write {target}: File too large\n"
    assert target.read_text() == "yesterday's export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["products.jsonl"]


def test_export_to_dev_full_is_refused(db):
    result = subprocess.run(
        [sys.executable, "-m", "pantry.platform.cli", "export", "products",
         "--output", "/dev/full"],
        env={**os.environ, "DATABASE_URL": _test_database_url()}, cwd=ROOT,
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip

    assert result.returncode == 1
    assert result.stderr == (
        "CommandError: cannot write /dev/full: not a regular file (write to a "
        "file, or to standard output and redirect it)\n"
    )
