"""What an import found: counts, invalid lines, and its errors."""

from __future__ import annotations

from dataclasses import dataclass, field

# Errors kept for the report; the rest are counted.
REPORT_LIMIT = 1000


class ImportFileError(Exception):
    """The file cannot be imported at all (unreadable, no header, ...)."""


@dataclass
class ImportResult:
    lines: int = 0
    valid: int = 0
    staged: int = 0
    products_created: int = 0
    products_updated: int = 0
    variants_created: int = 0
    variants_updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    error_count: int = 0
    loaded: bool = False

    def add_error(self, line: int, reason: str) -> None:
        self.error_count += 1
        if len(self.errors) < REPORT_LIMIT:
            self.errors.append((line, reason))

    def counts(self) -> dict[str, int]:
        return {
            "products_created": self.products_created,
            "products_updated": self.products_updated,
            "variants_created": self.variants_created,
            "variants_updated": self.variants_updated,
        }

    def report(self) -> list[str]:
        """The invalid lines in file order, one message each."""
        lines = [f"line {line}: {reason}" for line, reason in sorted(self.errors)]
        if self.error_count > len(self.errors):
            lines.append(f"... and {self.error_count - len(self.errors)} more")
        return lines

    def summary(self) -> str:
        if not self.loaded:
            return (
                f"{self.lines} lines read, {self.error_count} invalid: nothing imported"
            )
        return (
            f"{self.lines} lines read, {self.valid} valid, {self.error_count} "
            f"invalid; products: {self.products_created} created, "
            f"{self.products_updated} updated; variants: {self.variants_created} "
            f"created, {self.variants_updated} updated"
        )


class LineError(Exception):
    """One line is invalid; the message says why."""
