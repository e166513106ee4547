"""Tooling: the CLI, the embedded server and operations commands."""
