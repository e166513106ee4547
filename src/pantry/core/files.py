"""Files that appear complete or not at all.

``atomic_write`` writes beside the target in a temporary file, flushes and
fsyncs it, then renames it over the target, so a reader never sees half a
file and a failure (a full disk) leaves the old file, or none, in place. Only
regular files are written: renaming over a device (``/dev/full``) or a pipe
would replace it with a file and report success.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO


class FileWriteError(Exception):
    """The file cannot be written; the message is one sentence for the user."""


def _refuse_special(path: Path) -> None:
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise FileWriteError(f"cannot write {path}: {exc.strerror}") from None
    if stat.S_ISDIR(mode):
        raise FileWriteError(f"cannot write {path}: it is a directory")
    if not stat.S_ISREG(mode):
        raise FileWriteError(
            f"cannot write {path}: not a regular file (write to a file, or to "
            "standard output and redirect it)"
        )


@contextlib.contextmanager
def atomic_write(path: Path, *, encoding: str = "utf-8") -> Iterator[TextIO]:
    """Yield a text file that replaces ``path`` only if the block succeeds."""
    path = Path(path)
    _refuse_special(path)
    directory = path.parent
    try:
        fd, temporary = tempfile.mkstemp(
            dir=directory, prefix=f".{path.name}.", suffix=".partial"
        )
    except OSError as exc:
        raise FileWriteError(f"cannot write {path}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding=encoding) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(temporary, stat.S_IMODE(path.stat().st_mode))
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
        _fsync_directory(directory)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise FileWriteError(f"cannot write {path}: {exc.strerror}") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _fsync_directory(directory: Path) -> None:
    # The rename is durable once the directory entry is on disk.
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
