"""Errors of the tooling that the `pantry` command prints as one line."""


class CliError(Exception):
    """A failure the user can fix; its message is printed as one line."""
