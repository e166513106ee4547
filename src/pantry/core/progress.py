"""A one-line progress bar for long commands, drawn only on a terminal.

Piped or redirected output (cron, CI, ``| tee``) gets none of it, only the
command's own summary lines.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import OutputWrapper

WIDTH = 30
# Redraw at most this often: a terminal is slow next to a bulk load.
INTERVAL = 0.2


class Progress:
    """``label [#####.....] 45% 450,000/1,000,000`` redrawn in place."""

    def __init__(self, stream: Any, *, label: str, total: int):
        self.stream, self.label, self.total = stream, label, total
        self.shown = _isatty(stream) and total > 0
        self.done = 0
        self._drawn_at = 0.0

    def advance(self, count: int = 1) -> None:
        self.done = min(self.total, self.done + count)
        now = time.monotonic()
        if self.shown and (now - self._drawn_at >= INTERVAL or self.done == self.total):
            self._drawn_at = now
            self._write("\r" + self.line())

    def phase(self, text: str) -> None:
        """Replace the bar by a short note of what runs now (``indexing``)."""
        if self.shown:
            self._write(f"\r{self.label}: {text}\033[K")

    def close(self) -> None:
        """Clear the line so the command's summary starts at column 0."""
        if self.shown:
            self._write("\r\033[K")

    def line(self) -> str:
        share = self.done / self.total if self.total else 1.0
        filled = round(share * WIDTH)
        return (
            f"{self.label} [{'#' * filled}{'.' * (WIDTH - filled)}] "
            f"{share:4.0%} {self.done:,}/{self.total:,}"
        )

    def _write(self, text: str) -> None:
        if isinstance(self.stream, OutputWrapper):
            self.stream.write(text, ending="")
        else:
            self.stream.write(text)
        self.stream.flush()


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
